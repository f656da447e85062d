"""Admin export of progress entries (django-import-export), safe to open in Excel and in
the official's language: the columns are headed by the fields' names, and a choice is
written as its label ("keltainen", "luonnos"), never as the value stored ("yellow")."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, resources
from import_export.forms import SelectableFieldsExportForm

from goals.models import Goal
from reports.export import spreadsheet_safe
from reports.models import ProgressEntry


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _choice(choices, value):
    """A stored choice's label in the active language; empty for no value."""
    return choices(value).label if value not in (None, "") else ""


class ProgressEntryResource(resources.ModelResource):
    period = fields.Field(attribute="period__label", column_name=_label(ProgressEntry, "period"))
    code = fields.Field(attribute="goal__code", column_name=_label(Goal, "code"))
    title = fields.Field(attribute="goal__title", column_name=pgettext_lazy("goal", "title"))
    kind = fields.Field(attribute="goal__kind", column_name=_label(Goal, "kind"))
    level = fields.Field(attribute="level", column_name=_label(ProgressEntry, "level"))
    status_text = fields.Field(
        attribute="status_text", column_name=_label(ProgressEntry, "status_text")
    )
    risks = fields.Field(attribute="risks", column_name=_label(ProgressEntry, "risks"))
    overall_status = fields.Field(
        attribute="overall_status", column_name=_label(ProgressEntry, "overall_status")
    )
    responsible = fields.Field(
        attribute="responsible__title", column_name=_label(ProgressEntry, "responsible")
    )
    review_state = fields.Field(
        attribute="review_state", column_name=_label(ProgressEntry, "review_state")
    )
    published_level = fields.Field(
        attribute="published__level",
        column_name=gettext_lazy("published progress level"),
    )
    published_status_text = fields.Field(
        attribute="published__status_text",
        column_name=gettext_lazy("published status text"),
    )

    class Meta:
        model = ProgressEntry
        fields = (
            "period",
            "code",
            "title",
            "kind",
            "level",
            "status_text",
            "risks",
            "overall_status",
            "responsible",
            "review_state",
            "published_level",
            "published_status_text",
        )
        export_order = fields

    def dehydrate_kind(self, entry):
        return _choice(Goal.Kind, entry.goal.kind)

    def dehydrate_level(self, entry):
        return _choice(ProgressEntry.Level, entry.level)

    def dehydrate_overall_status(self, entry):
        return _choice(ProgressEntry.OverallStatus, entry.overall_status)

    def dehydrate_review_state(self, entry):
        return _choice(ProgressEntry.ReviewState, entry.review_state)

    def dehydrate_published_level(self, entry):
        published = getattr(entry, "published", None)
        return _choice(ProgressEntry.Level, published.level) if published else ""

    def export_field(self, field, instance, **kwargs):
        # django-import-export's own escaping strips only a leading "="; Excel also runs
        # "+", "-", "@", tab and CR.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))


class ExportFieldsForm(SelectableFieldsExportForm):
    """The export page's column checkboxes, labelled by the column's own name (in the
    official's language) rather than by its field name in English."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return capfirst(field.column_name) if field else field_name
