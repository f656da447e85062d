"""Helpers for tables that a phone shows as cards (seuranta.css, `.stacked`), where each
cell names its column in a data-label."""

from django import template

register = template.Library()


@register.filter
def at(items, index):
    """`items[index]`: the heading of the column that a loop's cell is in, e.g.
    `{{ periods|at:forloop.counter0 }}`; empty past the end."""
    try:
        return items[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""
