"""Charts of progress levels for the public pages, drawn on the server as SVG.

Pure functions from plain counts (level 1–5, or None for an entry without a level ->
number of entries) to small structures that templates/public/_chart_*.html draw: no
database, no JavaScript, no inline styles. Each bar is a 100 % stack of its levels in
the coordinates of its viewBox (BAR_WIDTH × BAR_HEIGHT), so that it scales with the
page; a segment wide enough carries its count as text, every segment has a pattern of
its own besides its colour, and every bar has a sentence that says what it shows.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.models import ProgressEntry

LEVELS = (1, 2, 3, 4, 5)
# The order of a bar's segments: the levels, then entries with no level.
ORDER = (*LEVELS, None)

BAR_WIDTH = 300
BAR_HEIGHT = 26
# Room a count's digits need inside its segment, in viewBox units (the text is 14 units
# high, bold); a narrower segment is left unlabelled and its number is read from the table.
DIGIT_WIDTH = 9
LABEL_PADDING = 6


# How a segment is painted before static/css/charts.css paints it with the site's level
# colours (seuranta.css's --level-1 … --level-5, the same values): fill, and the colour
# of the count written on it (at least 6.3:1 on its fill).
FILLS = {
    "1": "#e4e7eb",
    "2": "#d4e4f4",
    "3": "#a9cbea",
    "4": "#a9dcb9",
    "5": "#1f6e3d",
    "none": "#ffffff",
}
DARK_TEXT, LIGHT_TEXT = "#1c2329", "#ffffff"


class _Drawn:
    """How a level (or None, no level) is drawn: its colour and pattern."""

    @property
    def key(self):
        return "none" if self.level is None else str(self.level)

    @property
    def fill(self):
        return FILLS[self.key]

    @property
    def text_fill(self):
        return LIGHT_TEXT if self.level == 5 else DARK_TEXT

    @property
    def patterned(self):
        """Colour is never the only difference: every level but 5 ("implemented") has a
        pattern over its colour (templates/public/_chart_patterns.html); level 5 is solid
        and dark, where no pattern would show."""
        return self.level != 5


@dataclass(frozen=True)
class Segment(_Drawn):
    level: int | None
    count: int
    x: float
    width: float
    # The count written in the segment, or "" when it would not fit.
    text: str

    # Inside the bar's outline, which is drawn half a unit in from the viewBox's edge.
    y = 0.5
    height = BAR_HEIGHT - 1
    text_y = BAR_HEIGHT / 2

    @property
    def text_x(self):
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class LegendKey(_Drawn):
    level: int | None
    # A word or two, as on the level chips elsewhere (ProgressEntry.Level.short_label);
    # the full label is its tooltip.
    label: str
    full_label: str


@dataclass(frozen=True)
class Bar:
    """One row of a chart: what it is (`label`) and its entries by level."""

    label: str
    counts: dict
    total: int
    segments: list
    description: str
    # What the row is about, for its template to name and link (a council-term goal).
    subject: object = None


def stacked_bar(label, counts, *, subject=None):
    """A 100 % stacked bar of `counts` (level or None -> entries); levels with no entries
    have no segment. Segments start where the previous one ended, so that rounding
    leaves no gaps."""
    total = sum(counts.get(level, 0) for level in ORDER)
    segments = []
    done = 0
    for level in ORDER:
        count = counts.get(level, 0)
        if not count:
            continue
        x = round(BAR_WIDTH * done / total, 2)
        done += count
        width = round(BAR_WIDTH * done / total - x, 2)
        fits = width >= len(str(count)) * DIGIT_WIDTH + LABEL_PADDING
        segments.append(Segment(level, count, x, width, str(count) if fits else ""))
    return Bar(
        label=label,
        counts={level: counts.get(level, 0) for level in ORDER},
        total=total,
        segments=segments,
        description=describe(counts),
        subject=subject,
    )


def describe(counts):
    """The bar in words, for screen readers and as its tooltip:
    "level 2: 2, level 3: 11, level 4: 1 (14 entries)"."""
    total = sum(counts.get(level, 0) for level in ORDER)
    if not total:
        return _("no entries")
    parts = [
        _("level %(level)s: %(count)s") % {"level": level, "count": counts[level]}
        for level in LEVELS
        if counts.get(level)
    ]
    if counts.get(None):
        parts.append(_("no level: %(count)s") % {"count": counts[None]})
    # The same words as the count beside the bar and under a table's caption.
    in_all = ngettext("(%(total)s entry)", "(%(total)s entries)", total) % {"total": total}
    return f"{', '.join(parts)} {in_all}"


@dataclass(frozen=True)
class Group:
    """Bars under a common heading: the periods of one council term."""

    label: str
    bars: list


def grouped_bars(rows):
    """(group label, bar label, counts) rows, in the order they are drawn, to groups of
    bars; rows of the same group follow each other."""
    groups = []
    for group_label, label, counts in rows:
        if not groups or groups[-1].label != group_label:
            groups.append(Group(group_label, []))
        groups[-1].bars.append(stacked_bar(label, counts))
    return groups


def legend(bars):
    """A LegendKey for every kind of segment the bars draw, in the order drawn: a legend
    names only what its chart shows."""
    shown = {segment.level for bar in bars for segment in bar.segments}
    keys = [
        LegendKey(level.value, level.short_label, level.label)
        for level in ProgressEntry.Level
        if level.value in shown
    ]
    if None in shown:
        keys.append(LegendKey(None, _("No level given"), _("No level given")))
    return keys


@dataclass(frozen=True)
class Chart:
    """Groups of bars and their legend; `id` prefixes every id in the chart's markup, so
    that a page can hold several charts."""

    id: str
    groups: list

    view_box = f"0 0 {BAR_WIDTH} {BAR_HEIGHT}"
    # A bar with no entries is this outline, dashed, half a unit in from the edge.
    outline_width, outline_height = BAR_WIDTH - 1, BAR_HEIGHT - 1
    # The columns of the chart's table (templates/public/_chart_table.html).
    level_choices = ProgressEntry.Level.choices

    @property
    def legend(self):
        return legend([bar for group in self.groups for bar in group.bars])
