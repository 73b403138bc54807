"""Downloads of the council workbook and the 評価シート.

The council workbook is for the DX office and viewers (議会・幹部); a 評価シート for whoever may see
the project's record that year (`projects.scoping`), so department staff get their own department's;
the zip of a year's 評価シート for the DX office only.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from evaluation.enums import CycleStatus
from evaluation.models import FiscalYear, ProjectRecord
from projects.scoping import is_dx_office, scope_by_project_year, sees_everything
from reports.workbooks.council import CouncilWorkbook
from reports.workbooks.evaluation_sheet import EvaluationSheet, evaluation_sheets_zip, zip_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )


def _fiscal_year(year: int) -> FiscalYear:
    """The plan year with figures (opened at least once), or 404 with the reason."""
    fiscal_year = (
        FiscalYear.objects.select_related("plan")
        .filter(year=year)
        .exclude(status=CycleStatus.PLANNED)
        .order_by("-plan__start_year")
        .first()
    )
    if fiscal_year is None:
        raise Http404("この年度の評価はまだ始まっていないため、報告書を作成できません。")
    return fiscal_year


@login_required
def council(request, year: int):
    """The year's council workbook."""
    if not sees_everything(request.user):
        raise PermissionDenied("議会報告はDX推進課と閲覧者だけがダウンロードできます。")
    workbook = CouncilWorkbook(fiscal_year=_fiscal_year(year), today=timezone.localdate())
    return _download(workbook.render(), workbook.filename, XLSX)


@login_required
def evaluation_sheet(request, code: str, year: int):
    """One project's 評価シート of a year; another department's project answers 404."""
    records = scope_by_project_year(
        request.user,
        ProjectRecord.objects.filter(project__code=code, fiscal_year=year),
        "project",
        "fiscal_year",
    )
    record = records.select_related("project", "cycle__plan").order_by("-cycle__plan__start_year").first()
    if record is None:
        raise Http404("この事業のこの年度の評価シートはありません。")
    sheet = EvaluationSheet.of(fiscal_year=record.cycle, project=record.project)
    if sheet.project is None:  # not in the figures reported when the year was locked
        raise Http404("この事業は、この年度の報告時点の記録に含まれていません。")
    return _download(sheet.render(), sheet.filename, XLSX)


@login_required
def evaluation_sheets(request, year: int):
    """Every 評価シート of the year in one zip, for the DX office."""
    if not is_dx_office(request.user):
        raise PermissionDenied("評価シートの一括ダウンロードはDX推進課だけが使えます。")
    fiscal_year = _fiscal_year(year)
    # Streamed a sheet at a time: a city's year holds some 2,000 sheets.
    return StreamingHttpResponse(
        evaluation_sheets_zip(fiscal_year=fiscal_year),
        content_type="application/zip",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=zip_filename(fiscal_year)
            )
        },
    )
