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

from goals.models import Goal
from reports.forms import EntryForm
from reports.models import ProgressEntry, ReportingPeriod
from reports.services import EditConflict, EntryChange, save_entries


def _reporting_period(request, pk):
    """The period and the user's own entries in it; 404 if they answer for none."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("strategy"), pk=pk)
    entries = list(
        ProgressEntry.objects.answered_by(request.user)
        .filter(period=period)
        .select_related("goal")
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


@login_required
def period_entries(request, pk):
    period, entries = _reporting_period(request, pk)
    editable = period.is_open
    submitting = request.method == "POST" and "submit" in request.POST
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and not editable:
        raise PermissionDenied
    forms = [EntryForm(data, entry=entry, submitting=submitting) for entry in entries]
    conflict = None
    if data is not None and all(form.is_valid() for form in forms):
        changes = [
            EntryChange(
                entry=form.entry, version=form.cleaned_data["version"], values=form.cleaned_data
            )
            for form in forms
        ]
        try:
            save_entries(changes, user=request.user, submit=submitting)
        except EditConflict as error:
            conflict = error.current
            # Show the other version, keep what the user typed, and let the next save win.
            data[f"entry-{conflict.pk}-version"] = conflict.version
            forms = [EntryForm(data, entry=entry, submitting=submitting) for entry in entries]
            for form in forms:
                form.is_valid()
            messages.error(
                request,
                _(
                    "Nothing was saved: %(code)s was changed by %(user)s while you were "
                    "editing. Their version is shown above your text; save again to keep yours."
                )
                % {"code": conflict.goal.code, "user": conflict.updated_by or _("someone")},
            )
        else:
            if submitting:
                message = ngettext(
                    "%(count)s entry submitted for review.",
                    "%(count)s entries submitted for review.",
                    len(changes),
                )
            else:
                message = ngettext(
                    "%(count)s entry saved as a draft.",
                    "%(count)s entries saved as drafts.",
                    len(changes),
                )
            messages.success(request, message % {"count": len(changes)})
            return redirect("staff:period", pk=period.pk)
    elif data is not None:
        messages.error(request, _("Nothing was saved: correct the entries marked below."))

    return render(
        request,
        "staff/period.html",
        {
            "period": period,
            "editable": editable,
            "late": period.is_late,
            "groups": _grouped_rows(period, entries, forms, conflict),
        },
    )


def _grouped_rows(period, entries, forms, conflict):
    """Rows under their council-term goals, each with the previous period's entry beside it."""
    previous = ProgressEntry.objects.latest_before(period, [entry.goal_id for entry in entries])
    council_goals = {
        goal.code: goal
        for goal in Goal.objects.filter(strategy=period.strategy, kind=Goal.Kind.GOAL)
    }
    groups = {}
    for entry, form in zip(entries, forms, strict=True):
        code = entry.goal.code.split(".")[0] + "."
        groups.setdefault(code, {"goal": council_goals.get(code), "code": code, "rows": []})
        groups[code]["rows"].append(
            {
                "entry": entry,
                "form": form,
                "previous": previous.get(entry.goal_id),
                "conflict": conflict if conflict and conflict.pk == entry.pk else None,
            }
        )
    return list(groups.values())
