"""The dashboards' filters: fiscal year, goal, measure and department, kept in the address (GET)."""

from django import forms

from core.fiscal import fiscal_year_label

ALL = [("", "すべて")]


class DashboardFilterForm(forms.Form):
    """Choices come from what the user may see; an unknown value is reported next to its field and ignored."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    goal = forms.ChoiceField(label="基本目標", required=False)
    measure = forms.ChoiceField(label="施策", required=False)
    department = forms.ChoiceField(label="所管課", required=False)

    def __init__(
        self, data, *, years, goals, measures, departments, fields=("year", "goal", "measure", "department")
    ):
        super().__init__(data)
        self.fields["year"].choices = [(str(year), fiscal_year_label(year)) for year in reversed(years)]
        self.fields["goal"].choices = ALL + [(goal.code, goal.heading) for goal in goals]
        self.fields["measure"].choices = ALL + [(measure.code, measure.heading) for measure in measures]
        self.fields["department"].choices = ALL + [(code, name) for code, name in departments]
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]

    def value(self, name: str, default=""):
        """The cleaned choice, or `default` when it is missing or not one of the choices."""
        if not self.is_bound or name not in self.fields:
            return default
        self.is_valid()
        if name in self.errors:
            return default
        return self.cleaned_data.get(name) or default
