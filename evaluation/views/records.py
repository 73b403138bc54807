"""The staff's pages around the entry form: their list, the DX office's board, the results sheet
and the workflow buttons. Each checks the user's permission and scopes rows by `projects.scoping`."""

import datetime
import secrets

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from core.uploads import upload_content, upload_drop, upload_keep, upload_limits, upload_take
from core.validators import whole_number
from evaluation import services
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.exports import results_workbook
from evaluation.forms import review_draft_key
from evaluation.imports import ImportProblem, results_import, results_sheet_read
from evaluation.models import FiscalYear, Grade, ProjectRecord
from evaluation.resources import IndicatorResultResource
from evaluation.selectors import (
    fiscal_year_current,
    records_editable_by,
    records_with_department,
    submission_board,
)
from projects.scoping import scope_by_project_year, sees_everything

VIEW = "evaluation.view_projectrecord"
CHANGE = "evaluation.change_projectrecord"


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    """A page in the admin's frame, with its menu and the user's links."""
    context = {**admin.site.each_context(request), "title": title, "opts": ProjectRecord._meta, **context}
    return TemplateResponse(request, template, context)


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def mine(request):
    """Where department staff land: their projects for the current year and what each still needs."""
    _require(request, VIEW)
    current = fiscal_year_current()
    records = []
    if current:
        responsible = scope_by_project_year(
            request.user, ProjectRecord.objects.filter(cycle=current), "project", "fiscal_year", editing=True
        )
        records = list(
            records_with_department(responsible).with_results().select_related("project").order_by("project__code")
        )
    editable = set(records_editable_by(request.user, ProjectRecord.objects.filter(cycle=current)).values_list("pk", flat=True))
    rows = [
        {
            "record": record,
            "missing": record.missing_items() if record.status in RecordStatus.with_department() else [],
            "editable": record.pk in editable,
        }
        for record in records
    ]
    return _page(
        request, "admin/evaluation/projectrecord/mine.html", "担当事業の入力状況", fiscal_year=current, rows=rows,
        limits=upload_limits(),
    )


def board(request):
    """The DX office's submission board: per department, records in each state, overdue flagged."""
    if not sees_everything(request.user):
        raise Http404
    years = FiscalYear.objects.select_related("plan").exclude(status=CycleStatus.PLANNED).order_by("-year")
    chosen = request.GET.get("year")
    fiscal_year = years.filter(year=whole_number(chosen)).first() if chosen else fiscal_year_current()
    rows = submission_board(fiscal_year, today=datetime.date.today()) if fiscal_year else []
    return _page(
        request,
        "admin/evaluation/projectrecord/board.html",
        "提出状況ボード",
        fiscal_year=fiscal_year,
        years=years,
        statuses=RecordStatus.choices,
        rows=rows,
    )


def results_export(request):
    """The results the user may fill now, as the spreadsheet the import takes back."""
    _require(request, VIEW)
    workbook = results_workbook(IndicatorResultResource(user=request.user).export_rows())
    filename = f"成果指標の実績_{datetime.date.today():%Y%m%d}.xlsx"
    return HttpResponse(
        workbook,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )


# The session's note of the sheet kept between its preview and its confirmation.
KEPT_SHEET = "results_import"
PREVIEW_ROWS = 1000


@require_POST
def results_upload(request):
    """Check a filled sheet and show what each row would change; nothing is saved until confirmed."""
    _require(request, CHANGE)
    upload = request.FILES.get("sheet")
    try:
        if upload is None:
            raise ValidationError("取り込むファイルを選んでください。")
        content = upload_content(upload)
        outcome = results_import(results_sheet_read(content), by=request.user, dry_run=True)
    except ValidationError as error:
        return _problems(request, [ImportProblem(None, "ファイル", message) for message in error.messages])
    if outcome.problems:
        return _problems(request, outcome.problems)
    if not outcome.changes:
        messages.info(request, f"変更はありませんでした（{outcome.unchanged}行とも保存済みの内容と同じです）。")
        return redirect("records:mine")
    _forget_kept(request)
    token = secrets.token_urlsafe(16)
    request.session[KEPT_SHEET] = {"name": upload_keep(content), "token": token}
    return _page(
        request,
        "admin/evaluation/projectrecord/import_preview.html",
        "取り込む内容の確認",
        outcome=outcome,
        shown=outcome.changes[:PREVIEW_ROWS],
        file_name=upload.name,
        token=token,
    )


@require_POST
def results_import_confirm(request):
    """Save the sheet previewed (checked again: what changed since is seen), or drop it when cancelled."""
    _require(request, CHANGE)
    kept = request.session.get(KEPT_SHEET) or {}
    if "cancel" in request.POST:
        _forget_kept(request)
        messages.info(request, "取り込みを取り消しました。何も保存していません。")
        return redirect("records:mine")
    if not kept or request.POST.get("token") != kept["token"]:
        return _problems(request, [ImportProblem(None, "ファイル", GONE)])
    del request.session[KEPT_SHEET]
    content = upload_take(kept["name"])
    try:
        if content is None:
            raise ValidationError(GONE)
        outcome = results_import(results_sheet_read(content), by=request.user)
    except ValidationError as error:
        return _problems(request, [ImportProblem(None, "ファイル", message) for message in error.messages])
    if outcome.problems:
        return _problems(request, outcome.problems)
    messages.success(
        request,
        f"取り込みました（変更{outcome.changed}件、変更なし{outcome.unchanged}件）。"
        "各事業の画面で確認してから提出してください。",
    )
    return redirect("records:mine")


GONE = "確認した表が見つかりません（取り込み済みか、別の画面で新しい表を選んだためです）。もう一度ファイルを選んでください。"


def _forget_kept(request) -> None:
    kept = request.session.pop(KEPT_SHEET, None)
    if kept:
        upload_drop(kept["name"])


def _problems(request, problems) -> TemplateResponse:
    return _page(
        request, "admin/evaluation/projectrecord/import_problems.html", "取り込めませんでした", problems=problems
    )


@require_POST
def workflow(request, pk, action):
    """The review buttons of the entry page: return, approve, reopen (submitting is part of the form)."""
    _require(request, VIEW)
    record = get_object_or_404(
        scope_by_project_year(request.user, ProjectRecord.objects.select_related("project"), "project", "fiscal_year"),
        pk=whole_number(pk),
    )
    perform = {"return": _return, "approve": _approve, "reopen": _reopen}
    if action not in perform:
        raise Http404("この操作はありません。")
    try:
        messages.success(request, f"{record.project}：{perform[action](request, record)}")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        # What the reviewer typed comes back in its form, not lost to the refusal.
        request.session[review_draft_key(record.pk)] = {
            "action": action, **{name: request.POST.get(name, "") for name in ("comment", "reason", "final_grade")}
        }
    return redirect("admin:evaluation_projectrecord_change", record.pk)


def _return(request, record) -> str:
    services.record_return(record, by=request.user, comment=request.POST.get("comment", ""))
    return "差し戻しました。"


def _approve(request, record) -> str:
    grade = _grade(request.POST.get("final_grade"), record)
    services.record_approve(record, by=request.user, final_grade=grade, reason=request.POST.get("reason", ""))
    return "承認しました。"


def _reopen(request, record) -> str:
    services.record_reopen(record, by=request.user, reason=request.POST.get("reason", ""))
    return "訂正のために再開し、所管課に戻しました。"


def _grade(pk: str | None, record: ProjectRecord) -> Grade | None:
    """The grade chosen on the form, which must belong to the record's plan's scale."""
    if not pk:
        return None
    grade = Grade.objects.filter(pk=whole_number(pk), scale__plan_id=record.project.plan_id).first()
    if grade is None:
        raise ValidationError("選んだ評価区分はこの計画の評価区分ではありません。一覧から選び直してください。")
    return grade
