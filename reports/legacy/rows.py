"""What each legacy row says: a progress entry, a goal's title, or an anomaly.

A cell's code, not its column, tells its level: exports shift cells between
the goal columns, and the parent of `01.06.01` is `01.06` whether or not the
row (or the file) names it.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from reports.models import ImportAnomaly, ProgressEntry

from .reader import HIERARCHY_ROLES, Row, Table

CODE = re.compile(r"^(\d{1,2})\.(?:(\d{1,2})(?:\.(\d{1,2}))?)?\.?(?=\s|$)")
TOO_DEEP_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){3,}\.?(?=\s|$)")
# Starts like a code but is none: "01.06.01.Siirrämme", "01,07,01", "O1.09", "01.010".
CODE_LIKE = re.compile(r"^[0-9Oo]\d{0,2}[.,]\d")
LEVEL = re.compile(r"^(\d+)(?![.,]\d)")
KIND_BY_DEPTH = {1: Goal.Kind.GOAL, 2: Goal.Kind.ANNUAL_GOAL, 3: Goal.Kind.ACTION}
COLUMN_NAMES = {
    "goal": "Valtuustokauden tavoite",
    "annual_goal": "Vuositavoite",
    "action": "Toimenpide",
    "status_text": "Teksti",
    "risks": "Merkittävimmät riskit",
}
OVERALL_STATUS_WORDS = {
    ProgressEntry.OverallStatus.GREEN: {"vihreä", "vihrea", "green", "grön"},
    ProgressEntry.OverallStatus.YELLOW: {"keltainen", "yellow", "gul"},
    ProgressEntry.OverallStatus.RED: {"punainen", "red", "röd"},
}


@dataclass(frozen=True)
class Code:
    parts: tuple[str, ...]
    title: str = ""

    @property
    def depth(self):
        return len(self.parts)

    @property
    def kind(self):
        return KIND_BY_DEPTH[self.depth]

    @property
    def text(self):
        """The stored form: `01.` for a council-term goal, `01.05`, `01.05.02`."""
        return self.parts[0] + "." if self.depth == 1 else ".".join(self.parts)

    def ancestors(self):
        return [Code(self.parts[:depth]) for depth in range(1, self.depth)]


def parse_code(cell):
    """The code at the start of a cell with the title after it, or None."""
    match = CODE.match(cell)
    if not match:
        return None
    parts = tuple(part.zfill(2) for part in match.groups() if part is not None)
    return Code(parts, cell[match.end() :].strip())


def parse_level(cell):
    """The level 1–5 a cell starts with ("3 Toteutus on aloitettu…"), or None."""
    match = LEVEL.match(cell)
    level = int(match.group(1)) if match else None
    return level if level is not None and 1 <= level <= 5 else None


def parse_overall_status(cell):
    """green, yellow or red for a traffic-light word in Finnish, Swedish or English; ""."""
    word = cell.strip().casefold()
    return next((status for status, words in OVERALL_STATUS_WORDS.items() if word in words), "")


@dataclass
class ParsedRow:
    line: int
    cells: list[str]
    outcome: str  # "blank", "entry", "structural" or "anomaly"
    codes: list[Code] = field(default_factory=list)  # every code in the row, shallowest first
    level: int | None = None
    status_text: str = ""
    risks: str = ""
    overall_status: str = ""
    responsible: str = ""
    reason: str = ""
    message: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def subject(self):
        """The goal, annual goal or action the row reports on: its deepest code."""
        return self.codes[-1]


def understand(table: Table):
    """Turn every row after the header into a ParsedRow, in file order."""
    first_line_of = {}
    return [_understand_row(table, row, first_line_of) for row in table.rows]


def _understand_row(table, row: Row, first_line_of):
    if row.is_blank:
        return ParsedRow(row.line, row.cells, "blank")
    parsed = ParsedRow(row.line, row.cells, "entry")

    def anomaly(reason, message):
        parsed.outcome, parsed.reason, parsed.message = "anomaly", reason, message
        return parsed

    extra = [cell for cell in row.cells[len(table.header) :] if cell]
    if extra:
        return anomaly(
            ImportAnomaly.Reason.EXTRA_CELLS,
            ngettext(
                "the row has %(count)s more cell than the header row",
                "the row has %(count)s more cells than the header row",
                len(extra),
            )
            % {"count": len(extra)},
        )

    loose = []
    for role in HIERARCHY_ROLES:
        cell = table.cell(row, role)
        if not cell:
            continue
        values = {"cell": _excerpt(cell), "column": COLUMN_NAMES[role]}
        if table.columns[role] in row.numeric:
            return anomaly(
                ImportAnomaly.Reason.BAD_CODE,
                _(
                    "“%(cell)s” in column %(column)s is a number or a date in the workbook, "
                    "not text: its code cannot be read reliably (01.10 and 01.1 look the same)"
                )
                % values,
            )
        if TOO_DEEP_CODE.match(cell):
            return anomaly(
                ImportAnomaly.Reason.BAD_CODE,
                _("“%(cell)s” in column %(column)s has more levels than an action") % values,
            )
        code = parse_code(cell)
        if code:
            parsed.codes.append(code)
        elif CODE_LIKE.match(cell):
            return anomaly(
                ImportAnomaly.Reason.BAD_CODE,
                _("“%(cell)s” in column %(column)s starts like a code but is not one") % values,
            )
        else:
            loose.append((role, cell))

    parsed.status_text = table.cell(row, "status_text")
    parsed.risks = table.cell(row, "risks")
    parsed.responsible = table.cell(row, "responsible")
    for role, text in loose:
        # Shifted cells: risk text ends up in a goal column. Keep it as risks, visibly.
        parsed.risks = f"{text}\n\n{parsed.risks}" if parsed.risks else text
        parsed.notes.append(
            _("text without a code in column %(column)s was taken as the risks")
            % {"column": COLUMN_NAMES[role]}
        )

    if not parsed.codes:
        return anomaly(
            ImportAnomaly.Reason.NO_CODE,
            _("the row has content but no goal or action code"),
        )
    parsed.codes.sort(key=lambda code: code.depth)
    for shallower, deeper in zip(parsed.codes, parsed.codes[1:], strict=False):
        if shallower.depth == deeper.depth or deeper.parts[: shallower.depth] != shallower.parts:
            return anomaly(
                ImportAnomaly.Reason.CONFLICTING_CODES,
                _("codes %(first)s and %(second)s in the same row do not belong together")
                % {"first": shallower.text, "second": deeper.text},
            )

    level_cell = table.cell(row, "level")
    if level_cell:
        parsed.level = parse_level(level_cell)
        if parsed.level is None:
            return anomaly(
                ImportAnomaly.Reason.BAD_LEVEL,
                _("progress level “%(cell)s” is not a number from 1 to 5")
                % {"cell": _excerpt(level_cell)},
            )

    status_cell = table.cell(row, "overall_status")
    if status_cell:
        parsed.overall_status = parse_overall_status(status_cell)
        if not parsed.overall_status:
            return anomaly(
                ImportAnomaly.Reason.BAD_STATUS,
                _("overall status “%(cell)s” is not green, yellow or red")
                % {"cell": _excerpt(status_cell)},
            )

    # An entry holds no more, and a longer text is not cut short silently.
    text_limit = getattr(settings, "ENTRY_TEXT_LIMIT", 4000)
    for role, text in (("status_text", parsed.status_text), ("risks", parsed.risks)):
        if len(text) > text_limit:
            return anomaly(
                ImportAnomaly.Reason.TEXT_TOO_LONG,
                _(
                    "the text in column %(column)s is %(length)s characters long; at most "
                    "%(limit)s fit in an entry"
                )
                % {"column": _column_name(table, role), "length": len(text), "limit": text_limit},
            )

    if not (parsed.level or parsed.status_text or parsed.risks or parsed.overall_status):
        parsed.outcome = "structural"
        return parsed

    code = parsed.subject.text
    if code in first_line_of:
        return anomaly(
            ImportAnomaly.Reason.DUPLICATE,
            _("%(code)s was already reported on line %(line)s of this file")
            % {"code": code, "line": first_line_of[code]},
        )
    first_line_of[code] = row.line
    return parsed


def _column_name(table, role):
    """A column as an official finds it in Excel: its letter and its header, if it has one."""
    index = table.columns.get(role)
    if index is None:
        return COLUMN_NAMES[role]
    letter = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letter = chr(ord("A") + remainder) + letter
    header = " ".join(table.header[index].split())
    return f"{letter} “{header}”" if header else letter


def _excerpt(text, length=60):
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
