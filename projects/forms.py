"""Forms the DX office fills to revise the plan mid-way (each asks for the year it applies from and
why) and to import the project catalogue."""

from django import forms
from import_export.forms import ConfirmImportForm, ImportForm

from core.forms import CleanTextField
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


class CatalogueImportForm(ImportForm):
    """The master-data import's first step: the file, and why it is imported (kept in the history;
    a new project is filed as a plan revision with this reason)."""

    reason = CleanTextField(
        label="取り込みの理由",
        max_length=200,
        help_text="変更の履歴に残ります。新しい事業は計画の見直し（事業の追加）として、この理由で議会報告に載ります。",
    )


class CatalogueConfirmImportForm(ConfirmImportForm):
    reason = CleanTextField(widget=forms.HiddenInput(), max_length=200)
