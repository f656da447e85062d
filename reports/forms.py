from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, ResponsiblePerson
from reports.models import ProgressEntry, ReportingPeriod


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, period):
        return f"{period.label} ({period.strategy.term})"


class CompareForm(forms.Form):
    first = PeriodChoiceField(
        label=_("Earlier period"),
        queryset=ReportingPeriod.objects.published().select_related("strategy"),
    )
    second = PeriodChoiceField(
        label=_("Later period"),
        queryset=ReportingPeriod.objects.published().select_related("strategy"),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("first"), data.get("second")
        if first and second:
            if first.strategy_id != second.strategy_id:
                raise forms.ValidationError(_("Choose two periods of the same council term."))
            if first == second:
                raise forms.ValidationError(_("Choose two different periods."))
        return data


class EntryForm(forms.Form):
    """One entry on the staff's period page; `version` detects edits by someone else."""

    level = forms.TypedChoiceField(
        label=_("Progress level"),
        choices=[("", _("Not given"))] + list(ProgressEntry.Level.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    status_text = forms.CharField(
        label=_("Status"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    risks = forms.CharField(
        label=_("Main risks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    overall_status = forms.ChoiceField(
        label=_("Overall status"),
        choices=[("", _("Not given"))] + list(ProgressEntry.OverallStatus.choices),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, entry, submitting=False, **kwargs):
        self.entry = entry
        self.submitting = submitting
        kwargs.setdefault(
            "initial",
            {
                "level": entry.level,
                "status_text": entry.status_text,
                "risks": entry.risks,
                "overall_status": entry.overall_status,
                "version": entry.version,
            },
        )
        super().__init__(*args, prefix=f"entry-{entry.pk}", **kwargs)

    def clean(self):
        data = super().clean()
        if self.submitting:
            if not data.get("level"):
                self.add_error("level", _("Give a progress level before submitting."))
            if not (data.get("status_text") or "").strip():
                self.add_error("status_text", _("Describe the status before submitting."))
        return data


class PlaceAnomalyForm(forms.Form):
    """An official's decision where an anomalous legacy row belongs, with its values."""

    goal = forms.ModelChoiceField(label=_("Goal, annual goal or action"), queryset=None)
    level = EntryForm.base_fields["level"]
    status_text = forms.CharField(
        label=_("Status"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    risks = forms.CharField(
        label=_("Main risks"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    overall_status = EntryForm.base_fields["overall_status"]
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=ResponsiblePerson.objects.all(), required=False
    )

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(
            Q(year=period.year) | Q(year__isnull=True), strategy=period.strategy
        ).order_by("code")
