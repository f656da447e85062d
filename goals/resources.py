"""Goals from a spreadsheet (django-import-export): code, title, parent code, responsible
person and year, one goal a row, into the strategy the official chose.

Every row is checked before anything is written: a row that cannot be read is refused
with its line and column, and the import writes nothing while any row is refused.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV

from goals.models import Goal, ResponsiblePerson, normalize_title
from reports.legacy.rows import parse_code


class ExcelCSV(CSV):
    """CSV as Excel saves it: comma-separated, or semicolon-separated as a Finnish Excel
    writes it, told from the header row (never from a cell's text)."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        header = in_stream.lstrip("\ufeff").partition("\n")[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        return super().create_dataset(in_stream, delimiter=delimiter, **kwargs)


def as_utf8(content):
    """A text file's bytes as UTF-8: Excel saves CSV in UTF-8 with a byte-order mark, or
    in Windows-1252."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            return content  # django-import-export says it cannot read it
    return text.encode("utf-8")


class Shown(widgets.Widget):
    """A related goal or person in the preview by its code or title, as the file names it."""

    def __init__(self, attribute):
        super().__init__()
        self.attribute = attribute

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.attribute) if value is not None else ""


class GoalResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name=gettext_lazy("code"))
    title = fields.Field(attribute="title", column_name=pgettext_lazy("goal", "title"))
    parent = fields.Field(
        attribute="parent", column_name=gettext_lazy("parent code"), widget=Shown("code")
    )
    responsible = fields.Field(
        attribute="responsible",
        column_name=gettext_lazy("responsible person"),
        widget=Shown("title"),
    )
    year = fields.Field(attribute="year", column_name=gettext_lazy("year"))

    # A file must have these columns; the others may be left out.
    REQUIRED = ("code", "title", "year")

    class Meta:
        model = Goal
        fields = ("code", "title", "parent", "responsible", "year")
        skip_unchanged = True
        report_skipped = True

    def __init__(self, strategy=None, **kwargs):
        super().__init__(**kwargs)
        self.strategy = strategy

    def column(self, name):
        return str(self.fields[name].column_name)

    def before_import(self, dataset, **kwargs):
        """Read the header row in any of the site's languages, or as the field names."""
        if self.strategy is None:
            raise ValueError(_("Choose the strategy that the goals belong to."))
        spellings = {}
        for name, field in self.fields.items():
            column = self.column(name)  # in the official's language, as rows are read
            spellings[normalize_title(name)] = column
            for code, _language in settings.LANGUAGES:
                with translation.override(code):
                    spellings[normalize_title(str(field.column_name))] = column
        headers = [
            spellings.get(normalize_title(str(header or "")), header)
            for header in dataset.headers or []
        ]
        missing = [self.column(name) for name in self.REQUIRED if self.column(name) not in headers]
        if missing:
            raise ValueError(
                ngettext(
                    "The file has no column %(missing)s. Its first row should name the "
                    "columns; it has: %(found)s.",
                    "The file has no columns %(missing)s. Its first row should name the "
                    "columns; it has: %(found)s.",
                    len(missing),
                )
                % {
                    "missing": ", ".join(f"“{name}”" for name in missing),
                    "found": ", ".join(f"“{header}”" for header in headers if header) or "–",
                }
            )
        dataset.headers = headers
        self.persons = ResponsiblePerson.objects.by_title()
        self.seen = {}

    def get_instance(self, instance_loader, row):
        """The goal the row updates: the same code in the same strategy and year."""
        code, year = self.read_code(row), self.read_year(row)
        if code is None or year is False:
            return None
        return Goal.objects.filter(strategy=self.strategy, code=code.text, year=year).first()

    def read_code(self, row):
        value = row.get(self.column("code"))
        return parse_code(value.strip()) if isinstance(value, str) else None

    def read_year(self, row):
        """The year as a number, None if the cell is empty, False if it is no year."""
        value = row.get(self.column("year"))
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return int(text) if text.isdigit() and len(text) == 4 else False

    @staticmethod
    def is_blank(row):
        return all(value is None or str(value).strip() == "" for value in row.values())

    def import_instance(self, instance, row, **kwargs):
        """Set the goal from the row, or refuse the row naming its line and columns."""
        if self.is_blank(row):
            return
        line = kwargs["row_number"] + 1  # the header is line 1
        errors = {}
        refused = set()

        def refuse(name, message):
            refused.add(name)
            errors[self.column(name)] = _("Line %(line)s, column “%(column)s”: %(message)s") % {
                "line": line,
                "column": self.column(name),
                "message": message,
            }

        raw_code = row.get(self.column("code"))
        code = self.read_code(row)
        if isinstance(raw_code, (int, float)):
            refuse(
                "code",
                _(
                    "%(value)s is a number in the file, and a number loses a code's zeros "
                    "(01.10 becomes 1.1). Format the column as text and write the code again."
                )
                % {"value": raw_code},
            )
        elif code is None or code.title:
            refuse(
                "code",
                _("“%(value)s” is not a code such as 01., 01.05 or 01.05.02.")
                % {"value": raw_code or ""},
            )
        year = self.read_year(row)
        if year is False:
            refuse(
                "year", _("“%(value)s” is not a year.") % {"value": row.get(self.column("year"))}
            )
        elif code is not None and not code.title:
            if code.kind == Goal.Kind.GOAL and year is not None:
                refuse("year", _("A council-term goal has no year; leave the cell empty."))
            elif code.kind != Goal.Kind.GOAL and year is None:
                refuse("year", _("Annual goals and actions need a year."))
            elif year is not None and not (
                self.strategy.start_year <= year <= self.strategy.end_year
            ):
                refuse(
                    "year",
                    _("%(year)s is outside the council term %(term)s.")
                    % {"year": year, "term": self.strategy.term},
                )
        title = str(row.get(self.column("title")) or "").strip()
        if not title:
            refuse("title", _("The goal needs a title."))

        parent = None
        if code is not None and not code.title and "year" not in refused:
            parent = self.find_parent(code, year, row, refuse)
            earlier = self.seen.get((code.text, year))
            if earlier is not None and earlier != line:
                refuse(
                    "code",
                    _("%(code)s is already on line %(line)s of this file.")
                    % {"code": code.text, "line": earlier},
                )
            self.seen.setdefault((code.text, year), line)

        responsible = None
        person = str(row.get(self.column("responsible")) or "").strip()
        if person:
            responsible = self.persons.get(normalize_title(person))
            if responsible is None:
                refuse(
                    "responsible",
                    _(
                        "No responsible person is called “%(title)s”. Add the person, or "
                        "this spelling as an alias of theirs, under Responsible persons."
                    )
                    % {"title": person},
                )
        if errors:
            raise ValidationError(errors)
        instance.strategy = self.strategy
        instance.kind = code.kind
        instance.code = code.text
        instance.year = year
        instance.title = title
        instance.parent = parent
        instance.responsible = responsible

    def find_parent(self, code, year, row, refuse):
        """The goal above the code's, in the strategy: the council-term goal of an annual
        goal, the same year's annual goal of an action."""
        if code.kind == Goal.Kind.GOAL:
            return None
        expected = code.ancestors()[-1].text
        written = row.get(self.column("parent"))
        if written not in (None, ""):
            named = parse_code(str(written).strip())
            if named is None or named.title or named.text != expected:
                refuse(
                    "parent",
                    _("The goal above %(code)s is %(expected)s, not “%(written)s”.")
                    % {"code": code.text, "expected": expected, "written": written},
                )
                return None
        parent_year = year if code.kind == Goal.Kind.ACTION else None
        parent = Goal.objects.filter(
            strategy=self.strategy, code=expected, year=parent_year
        ).first()
        if parent is None:
            if parent_year is None:
                message = _("The council term %(term)s has no council-term goal %(expected)s.") % {
                    "term": self.strategy.term,
                    "expected": expected,
                }
            else:
                message = _(
                    "%(year)s has no annual goal %(expected)s: add it, on an earlier line "
                    "of this file or before the import."
                ) % {"year": year, "expected": expected}
            refuse("parent", message)
        return parent

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self.is_blank(row) or super().skip_row(
            instance, original, row, import_validation_errors
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = _("Imported from a file")[:100]
