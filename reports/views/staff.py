"""Department staff's pages: their own entries; editable while the period is open.

A user sees only the periods and entries they answer for: the period page fetches
them through `_reporting_period`, the home page lists only such periods. Whether an
entry may be saved is decided again by the service, through reports/rules.py.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from reports import reset_limit
from reports.forms import EntryForm
from reports.models import ProgressEntry, ReportingPeriod
from reports.services import Edit, is_complete, save_entries
from seuranta.security import log_event

ReviewState = ProgressEntry.ReviewState
# The states in which an entry is still in the reporter's hands.
AT_WORK = (ReviewState.DRAFT, ReviewState.RETURNED)
# The period page's filter: ?show=unfinished shows only the entries that still need work.
UNFINISHED = "unfinished"


def _reporting_period(request, pk):
    """The period and the user's own entries in it; 404 if they answer for none."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("strategy"), pk=pk)
    entries = list(
        ProgressEntry.objects.answered_by(request.user)
        .filter(period=period)
        .select_related("goal__parent__parent", "updated_by", "period", "responsible")
        .order_by("goal__code")
    )
    if not entries:
        raise Http404(_("You have no entries in this period."))
    return period, entries


def needs_work(entry):
    """Whether the reporter still has work on the entry: it lacks what a submission needs,
    or the strategy team returned it."""
    return entry.review_state == ReviewState.RETURNED or not is_complete(
        entry.level, entry.status_text
    )


# A draft with nothing entered yet, as opening a period creates it (ProgressEntry.is_blank_draft).
BLANK_DRAFT = Q(review_state=ReviewState.DRAFT, level__isnull=True, status_text="", risks="")


def _counts_by_period(user):
    """{period id: the user's entries to do, draft, returned, submitted, published}, in one
    query. Approved entries count as submitted: they are out of the reporter's hands."""
    rows = (
        ProgressEntry.objects.answered_by(user)
        .values("period")
        .annotate(
            to_do=Count("pk", filter=BLANK_DRAFT),
            draft=Count("pk", filter=Q(review_state=ReviewState.DRAFT) & ~BLANK_DRAFT),
            returned=Count("pk", filter=Q(review_state=ReviewState.RETURNED)),
            submitted=Count(
                "pk", filter=Q(review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED])
            ),
            published=Count("pk", filter=Q(review_state=ReviewState.PUBLISHED)),
        )
        .order_by()
    )
    return {row.pop("period"): row for row in rows}


@login_required
def home(request):
    """The reporter's periods, open first, each with its deadline and the reporter's counts;
    above them, the entries the strategy team returned, with its comments."""
    periods = list(
        ReportingPeriod.objects.filter(entries__responsible__user=request.user)
        .select_related("strategy")
        .distinct()
        .order_by("-is_open", "-end_date")
    )
    counts = _counts_by_period(request.user)
    for period in periods:
        period.counts = counts.get(period.pk, {})
    returned = (
        ProgressEntry.objects.answered_by(request.user)
        .filter(review_state=ReviewState.RETURNED)
        .select_related("period", "goal")
        .order_by("-period__is_open", "-period__end_date", "goal__code")
    )
    return render(request, "staff/home.html", {"periods": periods, "returned": returned})


def _codes(entries):
    return ", ".join(entry.goal.code for entry in entries)


def _report(request, result, submit):
    """Say what was saved, submitted, kept as a draft, and refused."""
    count = len(result.submitted if submit else result.saved)
    refused = (
        result.conflicts,
        result.kept_as_drafts,
        result.changed_meanwhile,
        result.reviewed,
        result.returned_unchanged,
    )
    if count and submit:
        message = ngettext(
            "%(count)s entry submitted for review.",
            "%(count)s entries submitted for review.",
            count,
        )
        messages.success(request, message % {"count": count})
    elif count:
        message = ngettext(
            "%(count)s entry saved as a draft.", "%(count)s entries saved as drafts.", count
        )
        messages.success(request, message % {"count": count})
    elif not any(refused):
        messages.info(request, _("No entry was submitted.") if submit else _("No changes to save."))
    _say(
        request,
        messages.INFO,
        result.not_started,
        ngettext_lazy(
            "%(count)s entry has nothing entered yet; it was left as it is.",
            "%(count)s entries have nothing entered yet; they were left as they are.",
            "count",
        ),
    )
    _say(
        request,
        messages.ERROR,
        result.reviewed,
        ngettext_lazy(
            "Not saved, because the strategy team has approved or published it and it is the "
            "team's to change now: %(codes)s. If it needs a change, ask the team to return it to "
            "you.",
            "Not saved, because the strategy team has approved or published them and they are "
            "the team's to change now: %(codes)s. If one needs a change, ask the team to return "
            "it to you.",
            "count",
        ),
    )
    _say(
        request,
        messages.WARNING,
        result.returned_unchanged,
        ngettext_lazy(
            "Not submitted again: %(codes)s was returned to you with a comment and is "
            "unchanged. Change it as the comment asks, then submit it.",
            "Not submitted again: %(codes)s were returned to you with a comment and are "
            "unchanged. Change them as the comments ask, then submit them.",
            "count",
        ),
    )
    _say(
        request,
        messages.WARNING,
        result.kept_as_drafts,
        ngettext_lazy(
            "Not submitted, kept as a draft until it has a progress level and a status text: "
            "%(codes)s.",
            "Not submitted, kept as drafts until they have a progress level and a status text: "
            "%(codes)s.",
            "count",
        ),
    )
    _say(
        request,
        messages.WARNING,
        result.changed_meanwhile,
        ngettext_lazy(
            "Not submitted, because someone changed it after you opened this page: %(codes)s. "
            "Check it below and submit it again.",
            "Not submitted, because someone changed them after you opened this page: %(codes)s. "
            "Check them below and submit again.",
            "count",
        ),
    )
    _say(
        request,
        messages.ERROR,
        [conflict.current for conflict in result.conflicts],
        ngettext_lazy(
            "Not saved, because it was saved again after you opened this page (by someone "
            "else, or by you in another window): %(codes)s. The saved version is shown above "
            "your text, which is kept; save again to replace it.",
            "Not saved, because they were saved again after you opened this page (by someone "
            "else, or by you in another window): %(codes)s. The saved version is shown above "
            "your text, which is kept; save again to replace it.",
            "count",
        ),
    )


def _say(request, level, entries, message):
    """`message` (ngettext_lazy by "count") about `entries`, if any."""
    if entries:
        messages.add_message(
            request, level, message % {"count": len(entries), "codes": _codes(entries)}
        )


def _attention_key(period):
    return f"staff-attention-{period.pk}"


def _period_url(period, only_unfinished):
    url = reverse("staff:period", args=[period.pk])
    return f"{url}?show={UNFINISHED}" if only_unfinished else url


@login_required
def period_entries(request, pk):
    period, entries = _reporting_period(request, pk)
    editable = period.is_open
    only_unfinished = editable and request.GET.get("show") == UNFINISHED
    if request.method != "POST":
        # What the last save left to do (after its redirect): entries kept as drafts,
        # and those someone changed meanwhile.
        attention = request.session.pop(_attention_key(period), {})
        shown = [
            entry
            for entry in entries
            if not only_unfinished
            or needs_work(entry)
            or entry.pk in attention.get("kept", []) + attention.get("changed", [])
        ]
        forms = [EntryForm(entry=entry) for entry in shown]
        summary = _summary(
            shown,
            forms,
            kept=attention.get("kept", ()),
            changed=attention.get("changed", ()),
            returned=attention.get("returned", ()),
        )
        return _render(request, period, entries, shown, forms, editable, summary=summary)
    if not editable:
        raise PermissionDenied
    submit = "submit" in request.POST
    # Only the entries the page showed (all, or the unfinished ones) are posted.
    shown = [entry for entry in entries if f"entry-{entry.pk}-version" in request.POST]
    forms = [EntryForm(request.POST, entry=entry) for entry in shown]
    if not all(form.is_valid() for form in forms):
        messages.error(request, _("Nothing was saved: correct the entries marked below."))
        summary = _summary(shown, forms)
        return _render(request, period, entries, shown, forms, editable, summary=summary)

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
        if result.kept_as_drafts or result.changed_meanwhile or result.returned_unchanged:
            request.session[_attention_key(period)] = {
                "kept": [entry.pk for entry in result.kept_as_drafts],
                "changed": [entry.pk for entry in result.changed_meanwhile],
                "returned": [entry.pk for entry in result.returned_unchanged],
            }
        return redirect(_period_url(period, only_unfinished))

    # Saved entries show as saved; each conflict shows the other version beside the
    # user's typed text, which a second save writes over it.
    period, entries = _reporting_period(request, pk)
    conflicts = {conflict.current.pk: conflict.current for conflict in result.conflicts}
    shown_pks = {entry.pk for entry in shown}
    shown = [entry for entry in entries if entry.pk in shown_pks]
    data = request.POST.copy()
    forms = []
    for entry in shown:
        if entry.pk in conflicts:
            form = EntryForm(data, entry=entry)
            form.rebase(data, conflicts[entry.pk])
            form.is_valid()
        else:
            form = EntryForm(entry=entry)
        forms.append(form)
    summary = _summary(
        shown,
        forms,
        kept=[entry.pk for entry in result.kept_as_drafts],
        changed=[entry.pk for entry in result.changed_meanwhile],
        returned=[entry.pk for entry in result.returned_unchanged],
        conflicts=conflicts,
    )
    return _render(
        request, period, entries, shown, forms, editable, conflicts=conflicts, summary=summary
    )


def _summary(entries, forms, *, kept=(), changed=(), returned=(), conflicts=()):
    """The error summary's links, in the page's order: each field with an error, each
    entry kept as a draft (to the field it lacks), each conflict, each entry someone
    changed meanwhile and each returned entry submitted unchanged."""
    items = []
    for entry, form in zip(entries, forms, strict=True):
        code = entry.goal.code
        for name, errors in (form.errors if form.is_bound else {}).items():
            if name == NON_FIELD_ERRORS:
                target, label = f"entry-{entry.pk}", code
            else:
                target = form[name].auto_id
                label = f"{code} {form.fields[name].label}"
            items += [
                {
                    "href": f"#{target}",
                    "text": _("%(field)s: %(error)s") % {"field": label, "error": error},
                }
                for error in errors
            ]
        if entry.pk in kept:
            no_level, no_text = entry.level is None, not entry.status_text.strip()
            if no_level and no_text:
                text = _("%(code)s: give a progress level and write a status text to submit it")
            elif no_level:
                text = _("%(code)s: give a progress level to submit it")
            else:
                text = _("%(code)s: write a status text to submit it")
            target = form["level" if no_level else "status_text"].auto_id
            items.append({"href": f"#{target}", "text": text % {"code": code}})
        if entry.pk in conflicts:
            text = _(
                "%(code)s: saved by someone else after you opened this page; compare their "
                "version with yours and save again"
            ) % {"code": code}
            items.append({"href": f"#entry-{entry.pk}", "text": text})
        if entry.pk in changed:
            text = _(
                "%(code)s: changed by someone else after you opened this page; check it and "
                "submit again"
            ) % {"code": code}
            items.append({"href": f"#entry-{entry.pk}", "text": text})
        if entry.pk in returned:
            text = _(
                "%(code)s: returned to you with a comment; change it before submitting it again"
            ) % {"code": code}
            items.append({"href": f"#{form['status_text'].auto_id}", "text": text})
    return items


def _render(request, period, entries, shown, forms, editable, *, conflicts=None, summary=()):
    """The period page: `entries` are all the reporter's entries in it, `shown` those on
    the page (all, or the unfinished ones) with their `forms`."""
    unfinished = sum(needs_work(entry) for entry in entries)
    return render(
        request,
        "staff/period.html",
        {
            "period": period,
            "editable": editable,
            "late": period.is_late,
            "groups": _grouped_rows(request, period, shown, forms, conflicts or {}, editable),
            "summary": summary,
            "total": len(entries),
            "ready": len(entries) - unfinished,
            "submitted": sum(entry.review_state not in AT_WORK for entry in entries),
            "unfinished": unfinished,
            "only_unfinished": editable and request.GET.get("show") == UNFINISHED,
            "text_limit": settings.ENTRY_TEXT_LIMIT,
            "js_strings": {
                "count": _("%(count)s / %(limit)s characters"),
                "remaining": _("Characters remaining: %(count)s"),
                "over": _("Characters over the limit: %(count)s"),
                "replace": _(
                    "Replace what you have entered with the previous period's progress "
                    "level, status text and risks?"
                ),
            },
        },
    )


def _grouped_rows(request, period, entries, forms, conflicts, editable):
    """Rows under their council-term goals, each with what was approved or published for
    the goal in the previous period beside it. An entry that the strategy team has
    approved or published is shown read-only (reports/rules.py)."""
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
                "editable": editable
                and request.user.has_perm("reports.change_entry_content", entry),
            }
        )
    return list(groups.values())


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link by email, within the limits of reports/reset_limit.py.

    The page says the same whether or not an account has the address, and whether or not
    the address is over its limit: then it just sends nothing. Over the limit of the
    client's address the form comes back with HTTP 429, which says nothing of addresses.
    """

    template_name = "staff/password_reset_form.html"
    email_template_name = "staff/password_reset_email.txt"
    subject_template_name = "staff/password_reset_subject.txt"
    success_url = reverse_lazy("staff:password_reset_done")

    def form_valid(self, form):
        limit = reset_limit.refused(self.request, form.cleaned_data["email"])
        if limit == "ip":
            form.add_error(
                None,
                _(
                    "Too many password reset links have been requested from your network. "
                    "Try again later."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if limit == "address":
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the emailed link, written to the security log."""

    template_name = "staff/password_reset_confirm.html"
    success_url = reverse_lazy("staff:password_reset_complete")

    def form_valid(self, form):
        log_event("password-reset", self.request, form.user.get_username())
        return super().form_valid(form)
