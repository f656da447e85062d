import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.models import PublishedEntry
from reports.templatetags.languages import goal_title, in_data_language


class PublicEntryTable(tables.Table):
    """A period's published entries. Rendered by templates/public/table.html, which adds
    the caption, header scopes, aria-sort and a <nav> for the pages. The period page
    leaves out (`exclude`) the responsible person and the overall status where no
    published entry of the period has one (reports/views/public.py)."""

    code = tables.Column(verbose_name=_("Code"), accessor="goal__code")
    title = tables.Column(
        verbose_name=pgettext_lazy("goal", "Title"), accessor="goal__title", linkify=False
    )
    level = tables.Column(
        verbose_name=_("Progress level"), accessor="level", default=_("not given")
    )
    responsible = tables.Column(
        verbose_name=_("Responsible person"),
        accessor="responsible__title",
        default="–",
    )
    overall_status = tables.Column(
        verbose_name=_("Overall status"), accessor="overall_status", default="–"
    )
    status_text = tables.Column(
        verbose_name=_("Status"), accessor="status_text", orderable=False, default=""
    )

    class Meta:
        model = PublishedEntry
        fields = []
        sequence = ["code", "title", "level", "responsible", "overall_status", "status_text"]
        template_name = "public/table.html"
        order_by = "code"
        empty_text = _("No entries match the filters.")
        attrs = {"class": "entries stacked"}

    def __init__(self, *args, caption, **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption

    def render_title(self, record, value):
        url = reverse("reports:goal", args=[record.goal_id])
        return format_html('<a href="{}">{}</a>', url, goal_title(record.goal) or record.goal.code)

    def render_level(self, record):
        return render_to_string("public/_level.html", {"level": record.level})

    def render_overall_status(self, record):
        return render_to_string("public/_status.html", {"status": record.overall_status})

    def render_responsible(self, value):
        return in_data_language(value)

    def render_status_text(self, value):
        # A preview of two lines at most (seuranta.css); the entry's page has it all.
        return format_html(
            '<span class="preview">{}</span>', in_data_language(Truncator(value).words(30))
        )
