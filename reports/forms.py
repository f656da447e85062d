from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import ReportingPeriod


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
