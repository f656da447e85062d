"""A period's label in running text."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def unbroken(label):
    """The label (1–8/2023) in a span that keeps it on one line: a browser may otherwise
    break a heading after the en dash, leaving "1–" at the end of one line and "8/2023"
    on the next. The class is in seuranta.css and report_pdf.css."""
    return format_html('<span class="nowrap">{}</span>', label)
