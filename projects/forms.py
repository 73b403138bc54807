"""Forms the DX office fills to revise the plan mid-way: each asks for the year it applies from and why."""

from django import forms

from measures.forms import RevisionForm
from projects.enums import ProjectStatus
from projects.models import Project
from strategy.models import Department, DepartmentKind


class ProjectEndForm(RevisionForm):
    status = forms.ChoiceField(
        label="終了の種別",
        choices=[
            (s.value, s.label)
            for s in (ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED, ProjectStatus.ABOLISHED)
        ],
    )


class ProjectMoveForm(RevisionForm):
    department = forms.ModelChoiceField(
        label="新しい所管課",
        queryset=Department.objects.filter(valid_to__isnull=True, kind=DepartmentKind.SECTION),
    )


class ProjectMergeForm(RevisionForm):
    into = forms.ModelChoiceField(label="統合先の事業", queryset=Project.objects.none())

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["into"].queryset = Project.objects.filter(plan=plan)
