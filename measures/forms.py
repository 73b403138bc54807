"""Forms the DX office fills to revise the plan mid-way: each asks for the year it applies from and why."""

from django import forms

from core.fiscal import fiscal_year_label
from core.forms import CleanTextField


class RevisionForm(forms.Form):
    year = forms.TypedChoiceField(label="適用年度", coerce=int, help_text="この見直しが適用される最初の年度")
    reason = CleanTextField(
        label="見直しの理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="議会報告の「計画の見直し」に載ります。",
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, fiscal_year_label(year)) for year in plan.years]


class TargetResetForm(RevisionForm):
    final_target = forms.DecimalField(label="新しい最終目標値", max_digits=16, decimal_places=4)
