"""Forms of the officials' goal pages in the admin."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.forms import ConfirmImportForm, ImportForm

from goals.models import ResponsiblePerson, Strategy


class CopyYearForm(forms.Form):
    """Which year's annual goals and actions to copy into the next year."""

    strategy = forms.ModelChoiceField(
        label=gettext_lazy("Council term"), queryset=Strategy.objects.all(), empty_label=None
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year to copy"),
        min_value=1900,
        max_value=2999,
        help_text=gettext_lazy("Its annual goals and actions are copied into the year after."),
    )

    def clean(self):
        data = super().clean()
        strategy, year = data.get("strategy"), data.get("year")
        if strategy and year and not strategy.start_year <= year < strategy.end_year:
            self.add_error(
                "year",
                _(
                    "Choose a year from %(first)s to %(last)s: the year after it must be in "
                    "the council term %(term)s too."
                )
                % {
                    "first": strategy.start_year,
                    "last": strategy.end_year - 1,
                    "term": strategy.term,
                },
            )
        return data


class CopyRowForm(forms.Form):
    """One goal of the preview: whether to copy it, and its title in the next year."""

    source = forms.IntegerField(widget=forms.HiddenInput)
    copy = forms.BooleanField(required=False)
    title = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False)

    def __init__(self, *args, goal=None, target=None, exists=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.exists = exists
        if goal is not None:
            self.fields["copy"].label = _("Copy %(code)s") % {"code": goal.code}
            # The title is the municipality's, in its language; the field's name is ours,
            # in the page's, so it is read from an element of its own (the template's).
            self.title_label = _("Title of %(code)s in %(year)s") % {
                "code": goal.code,
                "year": target,
            }
            self.fields["title"].widget.attrs.update(
                {"aria-labelledby": f"{self.prefix}-title-label", "lang": settings.CONTENT_LANGUAGE}
            )
        if exists:
            self.fields["copy"].disabled = True
            self.fields["title"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("copy") and not (data.get("title") or "").strip():
            self.add_error("title", _("A goal that is copied needs a title."))
        return data


class AssignResponsibleForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Responsible person"),
        queryset=ResponsiblePerson.objects.select_related("department"),
    )


class GoalImportForm(ImportForm):
    strategy = forms.ModelChoiceField(
        label=gettext_lazy("Council term"),
        queryset=Strategy.objects.all(),
        help_text=gettext_lazy("Parent codes are looked up in this council term."),
    )
    field_order = ["strategy", "resource", "import_file", "format"]


class GoalConfirmImportForm(ConfirmImportForm):
    strategy = forms.ModelChoiceField(queryset=Strategy.objects.all(), widget=forms.HiddenInput)


class CopyRowFormSet(forms.BaseFormSet):
    """The preview's rows, one per annual goal or action of the year copied; a goal whose
    code the next year already has is shown but cannot be ticked."""

    def __init__(self, *args, goals, target, existing, **kwargs):
        self.goals, self.target, self.existing = list(goals), target, existing
        initial = [
            {"source": goal.pk, "copy": goal.code not in existing, "title": goal.title}
            for goal in self.goals
        ]
        super().__init__(*args, initial=initial, **kwargs)

    def get_form_kwargs(self, index):
        goal = self.goals[index] if index < len(self.goals) else None
        return {
            "goal": goal,
            "target": self.target,
            "exists": goal is not None and goal.code in self.existing,
        }


CopyRowForms = forms.formset_factory(CopyRowForm, formset=CopyRowFormSet, extra=0)
