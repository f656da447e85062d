"""Pages for residents. They read only PublishedEntry, through its `published()` queryset:
no staff-side field of a progress entry can reach them."""

import datetime
import hashlib
from collections import Counter, defaultdict
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header, http_date
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from goals.models import Goal
from reports import charts, council_report, export
from reports.filters import PublicEntryFilter
from reports.forms import CompareForm
from reports.models import ProgressEntry, PublicRevision, PublishedEntry, ReportingPeriod
from reports.rollup import published_rollups
from reports.tables import PublicEntryTable

PER_PAGE = 25
# A cached page that nobody asks for again leaves the cache after a day at the latest.
CACHE_SECONDS = 24 * 60 * 60


def for_residents(view):
    """Serve a public page from the cache until the next change residents may see.

    Pages are cached per public revision (reports.models.PublicRevision, raised by
    publishing and by officials' edits), language and URL, in Django's cache (local
    memory, or Redis in production): every worker process reads the revision from the
    database, so none serves a page older than the last publishing. The ETag and
    Last-Modified let a browser or proxy revalidate with a 304.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        revision = PublicRevision.current()
        language = get_language()
        etag = f'"r{revision.number}-{language}"'
        last_modified = int(revision.changed_at.timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = (
            "public:"
            + hashlib.sha256(
                f"{revision.number}:{language}:{request.get_full_path()}".encode()
            ).hexdigest()
        )
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response, CACHE_SECONDS)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        # Stored by browsers and proxies, but checked with the server on every use.
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapped


def _published_period_or_404(pk):
    return get_object_or_404(ReportingPeriod.objects.published().select_related("strategy"), pk=pk)


def _published_entries(**filters):
    return (
        PublishedEntry.objects.published()
        .filter(**filters)
        .select_related("goal__parent__parent", "responsible", "period")
    )


class LevelDistribution:
    """How many entries are at each level 1–5, and how many have none."""

    def __init__(self, counts):
        """`counts`: level (or None) -> number of entries."""
        self.total = sum(counts.values())
        self.rows = [
            {
                "level": level,
                "label": label,
                "count": counts.get(level, 0),
                "percent": round(100 * counts.get(level, 0) / self.total) if self.total else 0,
            }
            for level, label in ProgressEntry.Level.choices
        ]
        self.no_level = counts.get(None, 0)


class Trend:
    """Levels over periods: words for everyone, a sparkline for the eye."""

    WIDTH, HEIGHT, STEP = 60, 20, 4

    def __init__(self, levels):
        known = [level for level in levels if level]
        if len(known) < 2:
            self.text = _("a level in one period only") if known else _("no levels")
        elif known[-1] > known[0]:
            self.text = _("rose from %(first)s to %(last)s") % {
                "first": known[0],
                "last": known[-1],
            }
        elif known[-1] < known[0]:
            self.text = _("fell from %(first)s to %(last)s") % {
                "first": known[0],
                "last": known[-1],
            }
        else:
            self.text = _("unchanged at %(level)s") % {"level": known[-1]}
        step = self.WIDTH / max(len(levels) - 1, 1)
        self.points = " ".join(
            f"{index * step:.0f},{self.HEIGHT - level * self.STEP:.0f}"
            for index, level in enumerate(levels)
            if level
        )
        self.drawable = len(known) >= 2


@for_residents
def home(request):
    periods = list(ReportingPeriod.objects.published().select_related("strategy"))
    latest = periods[0] if periods else None
    context = {"periods": periods, "latest": latest}
    if latest:
        total = Counter()
        by_goal = defaultdict(Counter)
        for goal_id, level, count in (
            PublishedEntry.objects.published().filter(period=latest).level_counts()
        ):
            total[level] += count
            by_goal[goal_id][level] += count
        context["distribution"] = LevelDistribution(total)
        context["goals"] = [
            (goal, LevelDistribution(by_goal[goal.pk]))
            for goal in Goal.objects.filter(pk__in=by_goal).order_by("code")
        ]
        context["goals_chart"] = charts.Chart(
            "goals-chart",
            [
                charts.Group(
                    "",
                    [
                        charts.stacked_bar(goal.code, by_goal[goal.pk], subject=goal)
                        for goal, _distribution in context["goals"]
                    ],
                )
            ],
        )
        context["trend_chart"] = _levels_over_time(periods)
    return render(request, "public/home.html", context)


def _levels_over_time(periods):
    """The whole strategy's levels in every published period of the latest period's
    council term and of the term before it, oldest first, grouped by term: one query
    however many periods and entries there are."""
    current = periods[0].strategy
    earlier = [p.strategy for p in periods if p.strategy.start_year < current.start_year]
    terms = {current.pk}
    if earlier:
        terms.add(max(earlier, key=lambda strategy: strategy.start_year).pk)
    shown = sorted(
        (p for p in periods if p.strategy_id in terms),
        key=lambda p: (p.strategy.start_year, p.end_date, p.label),
    )
    counts = defaultdict(Counter)
    for period_id, level, count in (
        PublishedEntry.objects.published()
        .filter(period__in=[p.pk for p in shown])
        .values_list("period_id", "level")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts[period_id][level] += count
    return charts.Chart(
        "trend-chart",
        charts.grouped_bars(
            (
                _("Council term %(term)s") % {"term": p.strategy.term},
                p.label,
                counts[p.pk],
            )
            for p in shown
        ),
    )


# The period page's columns (and filters of the same name) that an entry may leave empty.
OPTIONAL_COLUMNS = ("responsible", "overall_status")


@for_residents
def period_detail(request, pk):
    period = _published_period_or_404(pk)
    entries = _published_entries(period=period)
    # One query, however many entries: how many there are, and how many of them have a
    # responsible person and an overall status. A column or a filter that no published
    # entry of the period has a value for is left out rather than shown empty.
    facts = (
        PublishedEntry.objects.published()
        .filter(period=period)
        .aggregate(
            total=Count("pk"),
            responsible=Count("responsible"),
            overall_status=Count("pk", filter=~Q(overall_status="")),
        )
    )
    empty = [name for name in OPTIONAL_COLUMNS if not facts[name]]
    filters = PublicEntryFilter(request.GET, queryset=entries, period=period, hidden=empty)
    table = PublicEntryTable(
        filters.qs,
        caption=_("Progress entries of %(period)s") % {"period": period.label},
        exclude=empty,
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "public/period.html",
        {
            "period": period,
            "filter": filters,
            "table": table,
            "published_count": facts["total"],
            # Only how many entries the period has, never what they hold: residents see
            # that some were left out when the period was published.
            "entry_count": ProgressEntry.objects.filter(period=period).count(),
        },
    )


@for_residents
def period_print(request, pk):
    """The council report of the period as a web page to print (reports/council_report.py;
    the same content as its PDF)."""
    period = _published_period_or_404(pk)
    return render(
        request,
        "public/period_print.html",
        {"period": period, "report": council_report.build(period)},
    )


@for_residents
def period_data(request, pk, fmt):
    """The period's published entries as open data (CC BY 4.0)."""
    period = _published_period_or_404(pk)
    records = export.period_records(period, published=True)
    label = f"seuranta {period.strategy.term} {period.label}"
    filename = slugify(label.replace("/", " ").replace("–", " "))
    if fmt == "csv":
        response = HttpResponse(export.to_csv(records), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            export.to_xlsx(period, records),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            export.to_json(period, records), content_type="application/json; charset=utf-8"
        )
    if fmt != "json":
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response


@for_residents
def goal_detail(request, pk):
    goal = get_object_or_404(Goal.objects.select_related("strategy", "parent__parent"), pk=pk)
    periods = ReportingPeriod.objects.published().filter(strategy=goal.strategy)
    if goal.year is not None:
        periods = periods.filter(year=goal.year)
    periods = list(periods.order_by("end_date"))
    published = PublishedEntry.objects.published().within(goal)
    if not periods or not published.exists():
        # A goal exists for the public only through published progress (its own or
        # that of the annual goals and actions under it).
        raise Http404(_("No published progress concerns this goal."))
    if goal.kind == Goal.Kind.GOAL:
        return _council_term_goal(request, goal, periods)
    entries = list(_published_entries(goal=goal).order_by("-period__end_date"))
    latest_of_child = {
        entry.goal_id: entry
        for entry in _published_entries(goal__parent=goal).order_by("period__end_date")
    }
    children = [child for child in goal.children.all() if child.pk in latest_of_child]
    return render(
        request,
        "public/item.html",
        {
            "goal": goal,
            "entries": entries,
            "children": [(child, latest_of_child[child.pk]) for child in children],
        },
    )


def _council_term_goal(request, goal, periods):
    """The goal's own level in every published period of the term, derived from the levels
    under it (reports/rollup.py), then its annual goals and actions of one year at a time
    (the latest by default), so that the page stays the same size however many periods
    the term has."""
    own_entries = list(_published_entries(goal=goal).order_by("period__end_date"))
    rollups = published_rollups(periods, goal=goal)
    term_levels = [
        {"period": period, "rollup": rollups.get((goal.pk, period.pk))} for period in periods
    ]
    years = sorted({period.year for period in periods if period.year is not None})
    year = request.GET.get("year")
    year = int(year) if year in {str(y) for y in years} else (years[-1] if years else None)
    year_periods = [period for period in periods if period.year == year]
    levels = defaultdict(dict)
    for goal_id, period_id, level in (
        PublishedEntry.objects.published()
        .filter(goal__in=Goal.objects.under(goal), period__in=year_periods)
        .values_list("goal_id", "period_id", "level")
    ):
        levels[goal_id][period_id] = level
    # Annual goals and actions with published progress, and the annual goals above them.
    under = list(Goal.objects.under(goal).filter(year=year).order_by("code"))
    shown = set(levels) | {item.parent_id for item in under if item.pk in levels}
    rows, set_levels = [], []
    for item in under:
        if item.pk not in shown:
            continue
        cells = []
        for period in year_periods:
            if item.kind == Goal.Kind.ANNUAL_GOAL:
                # An annual goal shows its level derived from its actions (or set, or its
                # own as reported), as its council-term goal's level is derived.
                rollup = rollups.get((item.pk, period.pk))
                cell = {"level": rollup.level if rollup else None, "rollup": rollup}
                if rollup is not None and rollup.is_set:
                    # Set by officials: marked in the cell, with the reason under the table.
                    cell["anchor"] = f"set-{item.pk}-{period.pk}"
                    set_levels.append({"goal": item, "period": period, **cell})
            else:
                cell = {"level": levels[item.pk].get(period.pk)}
            cells.append(cell)
        row_levels = [cell["level"] for cell in cells]
        rows.append(
            {"goal": item, "levels": row_levels, "cells": cells, "trend": Trend(row_levels)}
        )
    return render(
        request,
        "public/goal.html",
        {
            "goal": goal,
            "own_entries": own_entries,
            "term_levels": term_levels,
            "term_trend": Trend(
                [row["rollup"].level if row["rollup"] else None for row in term_levels]
            ),
            "year": year,
            "years": years,
            "periods": year_periods,
            "rows": rows,
            "set_levels": set_levels,
        },
    )


@for_residents
def compare(request):
    form = CompareForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        first, second = form.cleaned_data["first"], form.cleaned_data["second"]
        # Plain rows rather than model objects: two periods of a large municipality
        # hold thousands of entries.
        translated = TRANSLATED_TITLES.get(get_language())
        fields = ("goal_id", "goal__code", "goal__title", "level", *filter(None, [translated]))
        before = {
            row["goal_id"]: row
            for row in PublishedEntry.objects.published().filter(period=first).values(*fields)
        }
        after = {
            row["goal_id"]: row
            for row in PublishedEntry.objects.published().filter(period=second).values(*fields)
        }
        groups = {
            key: []
            for key in ("rose", "fell", "stayed", "not_comparable", "appeared", "disappeared")
        }
        for goal_id, new in after.items():
            old = before.get(goal_id)
            if old is None:
                key = "appeared"
            elif old["level"] is None or new["level"] is None:
                key = "not_comparable"
            elif new["level"] > old["level"]:
                key = "rose"
            elif new["level"] < old["level"]:
                key = "fell"
            else:
                key = "stayed"
            groups[key].append(_compare_row(old, new, translated))
        for goal_id, old in before.items():
            if goal_id not in after:
                groups["disappeared"].append(_compare_row(old, None, translated))
        for rows in groups.values():
            rows.sort(key=lambda row: row["code"])
        context.update(
            first=first,
            second=second,
            term_groups=_compare_term_goals(first, second),
            groups=[(key, COMPARE_TITLES[key], rows) for key, rows in groups.items()],
            # Reversed once, not for each of thousands of rows.
            goal_url=reverse("reports:goal", args=[0]).removesuffix("0/"),
        )
    return render(request, "public/compare.html", context)


def _compare_term_goals(first, second):
    """The council-term goals that rose, fell or stayed between two periods, by their
    levels derived from the levels under them (or set by officials): a council-term goal
    lasts the whole term, so it compares across years too. [(key, title, rows)]."""
    rollups = published_rollups([first, second])
    goals = Goal.objects.filter(kind=Goal.Kind.GOAL, strategy_id=first.strategy_id)
    groups = {key: [] for key in ("rose", "fell", "stayed", "not_comparable")}
    for goal in goals.only("pk", "code", "title", "title_sv", "title_en").order_by("code"):
        before, after = rollups.get((goal.pk, first.pk)), rollups.get((goal.pk, second.pk))
        if before is None and after is None:
            continue  # nothing published under it in either period
        old, new = (before.level if before else None), (after.level if after else None)
        if old is None or new is None:
            key = "not_comparable"
        elif new > old:
            key = "rose"
        elif new < old:
            key = "fell"
        else:
            key = "stayed"
        groups[key].append(
            {
                "goal": goal,
                "before": before,
                "after": after,
                "periods": [(first, before), (second, after)],
            }
        )
    return [(key, TERM_COMPARE_TITLES[key], rows) for key, rows in groups.items()]


TERM_COMPARE_TITLES = {
    "rose": gettext_lazy("Council-term goals whose level rose"),
    "fell": gettext_lazy("Council-term goals whose level fell"),
    "stayed": gettext_lazy("Council-term goals whose level stayed the same"),
    "not_comparable": gettext_lazy("Council-term goals without a level in one of the periods"),
}


# The field of a goal's title written in the page's language, where there is one.
TRANSLATED_TITLES = {"sv": "goal__title_sv", "en": "goal__title_en"}


def _compare_row(before, after, translated):
    either = after or before
    # (title, the language it is written in), as Goal.title_in gives them.
    title = (either.get(translated), get_language()) if translated else (None, None)
    if not title[0]:
        title = (either["goal__title"], settings.CONTENT_LANGUAGE)
    return {
        "goal_id": either["goal_id"],
        "code": either["goal__code"],
        "title": title,
        "before": before["level"] if before else None,
        "after": after["level"] if after else None,
    }


COMPARE_TITLES = {
    "rose": gettext_lazy("Level rose"),
    "fell": gettext_lazy("Level fell"),
    "stayed": gettext_lazy("Level stayed the same"),
    "not_comparable": gettext_lazy("Level missing in one or both periods"),
    # Translators: a group of entries, shown as "New in the later period: 49" and as the
    # heading "New in the later period (49)"; in the plural (sv "Nya …", fi "Uudet …").
    "appeared": gettext_lazy("New in the later period"),
    "disappeared": gettext_lazy("Not in the later period"),
}


@for_residents
def about(request):
    return render(request, "public/about.html", {"levels": ProgressEntry.Level.choices})


# When the accessibility statement was last reviewed; update with the statement.
STATEMENT_REVIEWED = datetime.date(2026, 11, 28)


@for_residents
def accessibility(request):
    return render(
        request,
        "public/accessibility.html",
        {"feedback_email": settings.FEEDBACK_EMAIL, "reviewed": STATEMENT_REVIEWED},
    )


def tag_uri(specific):
    """A stable `tag:` id (RFC 4151) on the site's host name, for the feed's entries: a
    period keeps its id when the site moves between addresses of the same host or when it
    is published again."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:seuranta/{specific}"


# The year the feed's ids were first given out; never change it, or readers see every
# period as new.
TAG_DATE = "2026"


class PublishedPeriodsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Seuranta: published reporting periods")
    subtitle = gettext_lazy("The strategy follow-up's newly published reporting periods")
    item_guid_is_permalink = False

    def link(self):
        return reverse("reports:home")

    def feed_guid(self):
        return tag_uri("feed")

    def author_name(self):
        return settings.MUNICIPALITY_NAME

    def item_guid(self, period):
        return tag_uri(f"period/{period.pk}")

    def items(self):
        return (
            ReportingPeriod.objects.published()
            .select_related("strategy")
            .order_by("-published_at", "-end_date")[:20]
        )

    def item_title(self, period):
        return _("Reporting period %(period)s (council term %(term)s)") % {
            "period": period.label,
            "term": period.strategy.term,
        }

    def item_description(self, period):
        return _("Progress of the strategy's goals and actions in %(period)s.") % {
            "period": period.label
        }

    def item_link(self, period):
        return reverse("reports:period", args=[period.pk])

    def item_pubdate(self, period):
        return period.published_at

    def item_updateddate(self, period):
        return period.published_at
