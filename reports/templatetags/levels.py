"""Progress levels and overall statuses on the public pages, drawn the same everywhere:
templates/public/_level.html and _status.html, which reports/tables.py renders too."""

import re

from django import template

from reports.models import ProgressEntry

register = template.Library()


@register.filter
def progress_level(value):
    """The Level (number, short and full label) of a level's number; None for no level."""
    try:
        return ProgressEntry.Level(int(value))
    except (TypeError, ValueError):
        return None


@register.filter
def overall_status(value):
    """The OverallStatus (value and word) of a stored status; None for none given."""
    try:
        return ProgressEntry.OverallStatus(value)
    except ValueError:
        return None


@register.simple_tag
def progress_levels():
    """The scale 1–5, for a legend."""
    return list(ProgressEntry.Level)


@register.filter
def without_number(label):
    """A level's label without the number it starts with ("3 – Under way" → "Under way"),
    where the number is shown beside it."""
    return re.sub(r"^\d+\s*[–-]\s*", "", str(label))
