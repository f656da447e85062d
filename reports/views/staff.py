"""Department staff's pages: their own entries; editable while the period is open.

A user sees only the periods and entries they answer for: the period page fetches
them through `_reporting_period`, the home page lists only such periods. Whether an
entry may be saved is decided again by the service, through reports/rules.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.forms import EntryForm
from reports.models import ProgressEntry, ReportingPeriod
from reports.services import Edit, save_entries


def _reporting_period(request, pk):
    """The period and the user's own entries in it; 404 if they answer for none."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("strategy"), pk=pk)
    entries = list(
        ProgressEntry.objects.answered_by(request.user)
        .filter(period=period)
        .select_related("goal__parent__parent", "updated_by")
        .order_by("goal__code")
    )
    if not entries:
        raise Http404(_("You have no entries in this period."))
    return period, entries


@login_required
def home(request):
    periods = (
        ReportingPeriod.objects.filter(entries__responsible__user=request.user)
        .select_related("strategy")
        .distinct()
        .order_by("-is_open", "-end_date")
    )
    return render(request, "staff/home.html", {"periods": periods})


def _codes(entries):
    return ", ".join(entry.goal.code for entry in entries)


def _report(request, result, submit):
    """Say what was saved, submitted, kept as a draft, and refused."""
    count = len(result.submitted if submit else result.saved)
    if submit:
        message = ngettext(
            "%(count)s entry submitted for review.",
            "%(count)s entries submitted for review.",
            count,
        )
    else:
        message = ngettext(
            "%(count)s entry saved as a draft.", "%(count)s entries saved as drafts.", count
        )
    if count or not (result.conflicts or result.kept_as_drafts or result.changed_meanwhile):
        messages.success(request, message % {"count": count})
    if result.kept_as_drafts:
        messages.warning(
            request,
            _(
                "Not submitted, kept as drafts until they have a progress level and a status "
                "text: %(codes)s."
            )
            % {"codes": _codes(result.kept_as_drafts)},
        )
    if result.changed_meanwhile:
        messages.warning(
            request,
            _(
                "Not submitted, because someone changed them after you opened this page: "
                "%(codes)s. Check them below and submit again."
            )
            % {"codes": _codes(result.changed_meanwhile)},
        )
    if result.conflicts:
        messages.error(
            request,
            _(
                "Not saved, because they were saved again after you opened this page "
                "(by someone else, or by you in another window): %(codes)s. The saved "
                "version is shown above your text, which is kept; save again to replace it."
            )
            % {"codes": _codes(conflict.current for conflict in result.conflicts)},
        )


@login_required
def period_entries(request, pk):
    period, entries = _reporting_period(request, pk)
    editable = period.is_open
    if request.method != "POST":
        forms = [EntryForm(entry=entry) for entry in entries]
        return _render(request, period, entries, forms, editable)
    if not editable:
        raise PermissionDenied
    submit = "submit" in request.POST
    forms = [EntryForm(request.POST, entry=entry) for entry in entries]
    if not all(form.is_valid() for form in forms):
        messages.error(request, _("Nothing was saved: correct the entries marked below."))
        return _render(request, period, entries, forms, editable)

    edits = [
        Edit(
            entry_id=form.entry.pk,
            loaded_version=form.cleaned_data["version"],
            values=form.changed_values(),
        )
        for form in forms
    ]
    result = save_entries(edits, user=request.user, submit=submit)
    _report(request, result, submit)
    if not result.conflicts:
        return redirect("staff:period", pk=period.pk)

    # Saved entries show as saved; each conflict shows the other version beside the
    # user's typed text, which a second save writes over it.
    period, entries = _reporting_period(request, pk)
    conflicts = {conflict.current.pk: conflict.current for conflict in result.conflicts}
    data = request.POST.copy()
    forms = []
    for entry in entries:
        if entry.pk in conflicts:
            form = EntryForm(data, entry=entry)
            form.rebase(data, conflicts[entry.pk])
            form.is_valid()
        else:
            form = EntryForm(entry=entry)
        forms.append(form)
    return _render(request, period, entries, forms, editable, conflicts)


def _render(request, period, entries, forms, editable, conflicts=None):
    return render(
        request,
        "staff/period.html",
        {
            "period": period,
            "editable": editable,
            "late": period.is_late,
            "groups": _grouped_rows(period, entries, forms, conflicts or {}),
        },
    )


def _grouped_rows(period, entries, forms, conflicts):
    """Rows under their council-term goals, each with what was approved or published for
    the goal in the previous period beside it."""
    previous = ProgressEntry.objects.reviewed_before(period, [entry.goal_id for entry in entries])
    groups = {}
    for entry, form in zip(entries, forms, strict=True):
        term_goal = entry.goal.term_goal
        groups.setdefault(term_goal.pk, {"goal": term_goal, "rows": []})
        groups[term_goal.pk]["rows"].append(
            {
                "entry": entry,
                "form": form,
                "previous": previous.get(entry.goal_id),
                "conflict": conflicts.get(entry.pk),
            }
        )
    return list(groups.values())
