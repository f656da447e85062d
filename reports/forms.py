from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, ResponsiblePerson
from reports.models import ProgressEntry, ReportingPeriod
from reports.templatetags.labels import unbroken


def with_labels(message, **labels):
    """The message with periods' labels filled in, each kept on one line (1–8/2023, not
    "1–" at the end of one line and "8/2023" on the next)."""
    return mark_safe(escape(message) % {name: unbroken(label) for name, label in labels.items()})


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, period):
        return f"{period.label} ({period.strategy.term})"


class CompareForm(forms.Form):
    first = PeriodChoiceField(
        label=_("Earlier period"),
        queryset=ReportingPeriod.objects.published().select_related("strategy"),
        empty_label=_("Choose a period"),
    )
    second = PeriodChoiceField(
        label=_("Later period"),
        queryset=ReportingPeriod.objects.published().select_related("strategy"),
        empty_label=_("Choose a period"),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("first"), data.get("second")
        if first and second:
            if first.strategy_id != second.strategy_id:
                raise forms.ValidationError(_("Choose two periods of the same council term."))
            if first == second:
                raise forms.ValidationError(_("Choose two different periods."))
            if second.end_date < first.end_date:
                # Compared the wrong way round, every rise would read as a fall. The
                # resident chooses again: the periods are not swapped behind their back.
                message = _(
                    "The later period must end after the earlier one, but %(second)s ends "
                    "before %(first)s. Choose %(second)s as the earlier period and %(first)s "
                    "as the later one."
                )
            elif second.end_date == first.end_date:
                message = _(
                    "The later period must end after the earlier one, but %(second)s and "
                    "%(first)s end on the same day. Choose a later period that ends after "
                    "%(first)s."
                )
            else:
                return data
            self.add_error(
                "second",
                forms.ValidationError(
                    with_labels(message, first=first.label, second=second.label),
                    code="not_later",
                ),
            )
        return data


class EntryForm(forms.Form):
    """One entry on the staff's period page.

    Each field posts the value it was loaded with beside the typed one (Django's
    `show_hidden_initial`), so `changed_data` names exactly what this user changed;
    `version` is the entry's version when the page was loaded.
    """

    level = forms.TypedChoiceField(
        label=_("Progress level"),
        choices=[("", _("Not given"))] + list(ProgressEntry.Level.choices),
        coerce=int,
        empty_value=None,
        required=False,
        show_hidden_initial=True,
    )
    status_text = forms.CharField(
        label=_("Status text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=settings.ENTRY_TEXT_LIMIT,
        show_hidden_initial=True,
    )
    risks = forms.CharField(
        label=_("Main risks"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=settings.ENTRY_TEXT_LIMIT,
        show_hidden_initial=True,
    )
    overall_status = forms.ChoiceField(
        label=_("Overall status"),
        choices=[("", _("Not given"))] + list(ProgressEntry.OverallStatus.choices),
        required=False,
        show_hidden_initial=True,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, entry, **kwargs):
        self.entry = entry
        kwargs.setdefault("initial", self.values_of(entry))
        super().__init__(*args, prefix=f"entry-{entry.pk}", **kwargs)
        # The limit under each text box, which the page's script turns into a live count.
        limit = number_format(settings.ENTRY_TEXT_LIMIT, force_grouping=True)
        for name in ("status_text", "risks"):
            self.fields[name].help_text = _("At most %(limit)s characters.") % {"limit": limit}

    @classmethod
    def values_of(cls, entry):
        return {
            "level": entry.level,
            "status_text": entry.status_text,
            "risks": entry.risks,
            "overall_status": entry.overall_status,
            "version": entry.version,
        }

    def changed_values(self):
        """The fields this user changed from the version they loaded, as cleaned."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}

    def rebase(self, data, current):
        rebase(self, data, current, version_field="version")


def conflict_message(current):
    return gettext(
        "%(user)s saved this entry at %(time)s while you were editing; nothing of yours was "
        "saved. Their version: %(state)s, level %(level)s, status text “%(text)s”. Your "
        "changes are below: save again to replace theirs, or reload the page to start from "
        "theirs."
    ) % {
        "user": current.updated_by or gettext("someone"),
        "state": current.get_review_state_display(),
        "time": date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT"),
        "level": current.level or "–",
        "text": Truncator(current.status_text).chars(300),
    }


def rebase(form, data, current, *, version_field):
    """After a conflict, mark the form's part of `data` (the posted QueryDict, copied) as
    loaded from `current`, the version someone else saved.

    Fields the user changed keep what they typed; the others show `current`'s values.
    Saving the form again then writes only the user's own changes over `current`, never
    the values the user loaded before it.
    """
    changed = set(form.changed_data)
    for name, field in form.fields.items():
        if not field.show_hidden_initial:
            continue
        value = field.prepare_value(getattr(current, name))
        value = "" if value is None else value
        data[form.add_initial_prefix(name)] = value
        if name not in changed:
            data[form.add_prefix(name)] = value
    data[form.add_prefix(version_field)] = current.version


class PlaceAnomalyForm(forms.Form):
    """An official's decision where an anomalous legacy row belongs, with its values."""

    goal = forms.ModelChoiceField(label=_("Goal, annual goal or action"), queryset=None)
    level = EntryForm.base_fields["level"]
    status_text = forms.CharField(
        label=_("Status text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=settings.ENTRY_TEXT_LIMIT,
    )
    risks = forms.CharField(
        label=_("Main risks"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=settings.ENTRY_TEXT_LIMIT,
    )
    overall_status = EntryForm.base_fields["overall_status"]
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=ResponsiblePerson.objects.all(), required=False
    )
    # The version of the goal's existing entry that the official was shown, if any.
    replaces_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(
            Q(year=period.year) | Q(year__isnull=True), strategy=period.strategy
        ).order_by("code")
