"""The officials' review screens in the admin: one entry at a time from its period's
queue, and the confirmation page before a period is published.

Mixed into ProgressEntryAdmin and ReportingPeriodAdmin (reports/admin.py). They read
through reports/review.py and write only through reports/services.py.
"""

import copy

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from reports import dashboard, review, services
from reports.forms import conflict_message
from reports.models import ProgressEntry, ReportingPeriod

Decision = services.Decision
ReviewState = ProgressEntry.ReviewState


class ReviewForm(forms.Form):
    """An official's decision on one entry, from the version they were shown.

    The level and text to publish post what they were loaded with beside what was
    typed (`show_hidden_initial`): only a changed override is written."""

    comment = forms.CharField(
        label=gettext_lazy("Comment for the author"),
        help_text=gettext_lazy("Needed to return the entry; its author sees it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    public_level = forms.TypedChoiceField(
        label=gettext_lazy("Level to publish"),
        help_text=gettext_lazy("Leave empty to publish the level that staff entered."),
        choices=[("", gettext_lazy("The level staff entered")), *ProgressEntry.Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
        show_hidden_initial=True,
    )
    public_status_text = forms.CharField(
        label=gettext_lazy("Text to publish"),
        help_text=gettext_lazy("Leave empty to publish the status text that staff entered."),
        required=False,
        max_length=settings.ENTRY_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        show_hidden_initial=True,
    )
    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    OVERRIDES = ("public_level", "public_status_text")

    @classmethod
    def initial_of(cls, entry):
        """The override as it stands for this version of the content: one written for an
        earlier version no longer applies and starts empty."""
        applies = entry.override_applies
        return {
            "public_level": entry.public_level if applies else None,
            "public_status_text": entry.public_status_text if applies else "",
            "loaded_version": entry.version,
        }

    def changed_overrides(self):
        return {
            name: self.cleaned_data[name] for name in self.OVERRIDES if name in self.changed_data
        }

    def rebased(self, current):
        """This form again, loaded from `current` (someone else's newer version): what the
        official typed is kept, and saving it again writes it over theirs, knowingly."""
        initial = self.initial_of(current)
        data = self.data.copy()
        for name in self.OVERRIDES:
            value = self.fields[name].prepare_value(initial[name])
            value = "" if value is None else value
            data[self.add_initial_prefix(name)] = value
            if name not in self.changed_data:
                data[name] = value
        data["loaded_version"] = current.version
        return type(self)(data, initial=initial)


class EntryReview:
    """ProgressEntryAdmin's review screen: `<pk>/review/`.

    Opened from a filtered change list (one department's entries, say), the screen keeps
    the list's filters, as the admin's change pages do (`_changelist_filters`): the next
    entry is the next submitted one of the period within that list, and the way back
    leads to the list as it was.
    """

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="reports_progressentry_review",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("review"))
    def review_link(self, entry, filters=""):
        """The link to the review screen, named for a screen reader by the entry it opens
        ("Review 03.06, 1–8/2024"): a list of a hundred links all called "Review" says
        nothing. The code and period are visually hidden, since the row shows them."""
        url = reverse("admin:reports_progressentry_review", args=[entry.pk])
        if filters:
            url = f"{url}?{filters}"
        which = pgettext("the entry a review link opens", "%(code)s, %(period)s") % {
            "code": entry.goal.code,
            "period": entry.period.label,
        }
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> {}</span></a>', url, _("Review"), which
        )

    def get_list_display(self, request):
        """The review links carry the change list's filters to the review screen."""
        filters = self.get_preserved_filters(request)

        @admin.display(description=gettext_lazy("review"))
        def review_link(entry):
            return self.review_link(entry, filters)

        return [
            review_link if name == "review_link" else name
            for name in super().get_list_display(request)
        ]

    def review_view(self, request, pk):
        """The entry beside its previous version; approve, return or publish it, then on
        to the next submitted entry of the period."""
        if not request.user.has_perm("reports.review_entry"):
            raise PermissionDenied
        entry = _entry_for_review(pk)
        listing = _Listing(self, request)
        if request.method == "POST":
            form = ReviewForm(request.POST, initial=ReviewForm.initial_of(entry))
            decision = request.POST.get("decision")
            if decision not in Decision.ALL:
                form.add_error(None, _("Choose what to do with the entry."))
            elif decision == Decision.RETURN and not request.POST.get("comment", "").strip():
                form.add_error("comment", _("Write a comment for the author before returning."))
            if form.is_valid():
                try:
                    decided = services.decide_entry(
                        entry,
                        user=request.user,
                        loaded_version=form.cleaned_data["loaded_version"],
                        decision=decision,
                        comment=form.cleaned_data["comment"].strip(),
                        overrides=form.changed_overrides(),
                    )
                except services.EditConflict as conflict:
                    self.message_user(request, conflict_message(conflict.current), messages.ERROR)
                    entry = _entry_for_review(pk)
                    form = form.rebased(entry)
                else:
                    self._say_what_was_done(request, decided, decision)
                    return self._to_next(request, decided, listing)
        else:
            form = ReviewForm(initial=ReviewForm.initial_of(entry))
        return self._review_page(request, entry, form, listing)

    def _review_page(self, request, entry, form, listing):
        previous = ProgressEntry.objects.reviewed_before(entry.period, [entry.goal_id]).get(
            entry.goal_id
        )
        history = review.review_history(entry)
        following = review.next_in_queue(entry, within=listing.entries)
        waiting = review.queue(entry.period, within=listing.entries).exclude(pk=entry.pk).count()
        decisions = {
            ReviewState.SUBMITTED: [Decision.APPROVE, Decision.PUBLISH],
            ReviewState.APPROVED: [Decision.PUBLISH],
        }.get(entry.review_state, [])
        # A published entry too: staff may change it again only once it is returned.
        can_return = entry.review_state in (
            ReviewState.SUBMITTED,
            ReviewState.APPROVED,
            ReviewState.PUBLISHED,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review %(code)s · %(period)s")
            % {"code": entry.goal.code, "period": entry.period.label},
            "opts": self.model._meta,
            "entry": entry,
            "previous": previous,
            "diff": review.text_diff(previous.status_text, entry.status_text) if previous else None,
            "returned": history.returned,
            "since_return": history.returned and history.changes_since_return(entry),
            "stale_override": entry.has_override and not entry.override_applies,
            "submitted_by": history.submitted_by,
            "submitted_at": history.submitted_at,
            "form": form,
            "errors": error_summary(form, decisions, can_return=can_return),
            "can_approve": Decision.APPROVE in decisions,
            "can_publish": Decision.PUBLISH in decisions,
            "can_return": can_return,
            "following": following,
            "following_url": following and listing.review_url(following),
            "waiting": waiting,
            "filtered": listing.entries is not None,
            "list_url": listing.url,
            "queue_url": queue_url(entry.period),
            "period_url": queue_url(entry.period, state=None),
        }
        return TemplateResponse(request, "admin/reports/review_entry.html", context)

    def _say_what_was_done(self, request, entry, decision):
        done_state = {
            Decision.APPROVE: ReviewState.APPROVED,
            Decision.RETURN: ReviewState.RETURNED,
            Decision.PUBLISH: ReviewState.PUBLISHED,
        }[decision]
        names = {"code": entry.goal.code, "state": entry.get_review_state_display()}
        if entry.review_state != done_state:
            self.message_user(
                request,
                _("Nothing was decided on %(code)s: it is %(state)s.") % names,
                messages.WARNING,
            )
            return
        done = {
            Decision.APPROVE: _("%(code)s approved."),
            Decision.RETURN: _("%(code)s returned to its author with your comment."),
            Decision.PUBLISH: _("%(code)s published."),
        }[decision]
        self.message_user(request, done % names, messages.SUCCESS)

    def _to_next(self, request, entry, listing):
        following = review.next_in_queue(entry, within=listing.entries)
        if following is not None:
            return redirect(listing.review_url(following))
        if listing.entries is not None:
            self.message_user(
                request,
                _("No other submitted entries of %(period)s are waiting in your list.")
                % {"period": entry.period.label},
                messages.INFO,
            )
            return redirect(listing.url)
        self.message_user(
            request,
            _("The queue is empty: no submitted entries are waiting in %(period)s.")
            % {"period": entry.period.label},
            messages.INFO,
        )
        return redirect(queue_url(entry.period, state=None))


def error_summary(form, decisions, *, can_return):
    """Why a decision was refused, for the summary at the top of the review screen: a
    list of (what to correct, the id of the field or button to do it with, or None if the
    page has none). Empty unless a decision was posted and refused."""
    if not form.is_bound or form.is_valid():
        return []
    shown = {name: form[name].auto_id for name in form.OVERRIDES if decisions}
    if can_return:
        shown["comment"] = form["comment"].auto_id
        decisions = [*decisions, Decision.RETURN]
    summary = [
        (error, f"decide-{decisions[0]}" if decisions else None)
        for error in form.non_field_errors()
    ]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        field = form[name]
        if field.is_hidden:
            summary.append((_("The page was incomplete: load it again and decide again."), None))
            continue
        for error in errors:
            what = _("%(field)s: %(error)s") % {"field": field.label, "error": error}
            summary.append((what, shown.get(name)))
    return summary


class _Listing:
    """The change list the review screen was opened from, by its filters (the query
    string after `_changelist_filters=`): `entries` is what the list shows (None when
    opened without filters, or with filters the list itself would refuse; a lookup the
    admin forbids is a bad request, as on the list)."""

    def __init__(self, model_admin, request):
        self.filters = request.GET.get("_changelist_filters", "")
        self.url = reverse("admin:reports_progressentry_changelist")
        self.entries = None
        if not self.filters:
            return
        self.url = f"{self.url}?{self.filters}"
        listing = copy.copy(request)
        listing.GET = QueryDict(self.filters)
        try:
            changelist = model_admin.get_changelist_instance(listing)
        except (IncorrectLookupParameters, ValidationError):
            self.filters, self.url = "", reverse("admin:reports_progressentry_changelist")
            return
        self.entries = changelist.get_queryset(listing)

    def review_url(self, entry):
        url = reverse("admin:reports_progressentry_review", args=[entry.pk])
        if self.filters:
            url += "?" + urlencode({"_changelist_filters": self.filters})
        return url


def _entry_for_review(pk):
    return get_object_or_404(
        ProgressEntry.objects.select_related(
            "goal__parent__parent", "period__strategy", "responsible__department"
        ),
        pk=pk,
    )


def queue_url(period, state=ReviewState.SUBMITTED):
    """The change list of the period's entries: with `state`, only those in it."""
    query = {"period__id__exact": period.pk}
    if state:
        query["review_state__exact"] = state
    return reverse("admin:reports_progressentry_changelist") + "?" + urlencode(query)


class PublishConfirmForm(forms.Form):
    # The approved entries the official was shown (reports.review.fingerprint).
    shown = forms.CharField(widget=forms.HiddenInput)


class PeriodPublishing:
    """ReportingPeriodAdmin's confirmation page before publishing: `<pk>/publish/`."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="reports_reportingperiod_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, pk):
        """What publishing the period publishes and leaves out; it publishes on POST."""
        if not request.user.has_perm("reports.manage_period"):
            raise PermissionDenied
        period = get_object_or_404(ReportingPeriod.objects.select_related("strategy"), pk=pk)
        preview = review.publish_preview(period)
        if request.method == "POST":
            form = PublishConfirmForm(request.POST)
            if form.is_valid() and form.cleaned_data["shown"] == preview.fingerprint:
                entries = services.publish_period(period, user=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "%(period)s is public; %(count)s approved entry published.",
                        "%(period)s is public; %(count)s approved entries published.",
                        len(entries),
                    )
                    % {"period": period.label, "count": len(entries)},
                    messages.SUCCESS,
                )
                return redirect("admin:reports_reportingperiod_changelist")
            self.message_user(
                request,
                _(
                    "The approved entries changed while you were looking: nothing was "
                    "published. Check the list again and confirm."
                ),
                messages.ERROR,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish %(period)s?") % {"period": period.label},
            "opts": self.model._meta,
            "period": period,
            "preview": preview,
            "form": PublishConfirmForm(initial={"shown": preview.fingerprint}),
            "queue_url": queue_url(period, state=None),
        }
        return TemplateResponse(request, "admin/reports/publish_period.html", context)


class ReportedFilter(admin.SimpleListFilter):
    """The dashboard's states ("Who has reported?"), so that its counts link here."""

    title = gettext_lazy("who has reported")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [
            ("missing", _("Not started")),
            ("draft", _("Draft or returned")),
            ("submitted", _("Submitted or approved")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        query = dashboard.STATE_QUERIES.get(self.value())
        return queryset if query is None else queryset.filter(query)
