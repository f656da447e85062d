"""Admin export of progress entries (django-import-export), safe to open in Excel."""

from import_export import fields, resources

from reports.export import spreadsheet_safe
from reports.models import ProgressEntry


class ProgressEntryResource(resources.ModelResource):
    period = fields.Field(attribute="period__label", column_name="period")
    code = fields.Field(attribute="goal__code", column_name="code")
    title = fields.Field(attribute="goal__title", column_name="title")
    kind = fields.Field(attribute="goal__kind", column_name="kind")
    responsible = fields.Field(attribute="responsible__title", column_name="responsible")
    published_level = fields.Field(attribute="published__level", column_name="published_level")
    published_status_text = fields.Field(
        attribute="published__status_text", column_name="published_status_text"
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

    def export_field(self, field, instance, **kwargs):
        # django-import-export's own escaping strips only a leading "="; Excel also runs
        # "+", "-", "@", tab and CR.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))
