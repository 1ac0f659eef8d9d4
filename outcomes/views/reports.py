"""The outcomes report for people who read it: the page, its CSV, and committee PDFs made by a worker."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_denied, audit_record
from core.models.audit import AuditAction
from core.permissions import signed_in_or_not_found
from outcomes.forms_reports import ReportFilterForm
from outcomes.models import ExportStatus, ReportExport
from outcomes.permissions import can_view_reports
from outcomes.services.report_exports import (
    ReportFilters,
    ReportReach,
    can_download_export,
    export_filters,
    exports_for,
    report_csv_chunks,
    report_export_request,
    report_figures,
    report_is_published,
    report_reach,
    report_scope,
)

REFRESH_SECONDS = 5
STALE_AFTER = datetime.timedelta(minutes=10)  # a report still queued by then needs a person to look


def _reach_for(request: HttpRequest) -> ReportReach:
    if not can_view_reports(request.user):
        audit_denied(actor=request.user, detail={"page": request.path})
        raise PermissionDenied(
            "Your account cannot see outcomes reports. Ask your administrator if your work needs them."
        )
    return report_reach(request.user)


def _audit_detail(filters: ReportFilters) -> dict:
    return {
        "from": filters.date_from.isoformat(),
        "to": filters.date_to.isoformat(),
        "locality": filters.locality.pk if filters.locality else None,
        "provider": filters.provider.pk if filters.provider else None,
        "team": filters.team,
        "framework": filters.framework.pk if filters.framework else None,
        "fund": filters.fund.pk if filters.fund else None,
    }


def _page(
    request: HttpRequest, form: ReportFilterForm, reach: ReportReach, status: int = 200
) -> HttpResponse:
    figures = None
    if form.is_valid():
        filters = form.filters()
        figures = report_figures(
            report_scope(reach, filters), filters, publish=report_is_published(reach, filters)
        )
    return render(
        request,
        "outcomes/reports/report.html",
        {
            "form": form,
            "figures": figures,
            "charts": figures.charts if figures else {},
            "query": form.query_string(),
            "hidden_values": form.submitted_values(),
            "exports": exports_for(request.user)[:5],
            "nothing_to_report_on": reach.is_empty,
        },
        status=400 if form.errors else status,
    )


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    reach = _reach_for(request)
    return _page(request, ReportFilterForm.for_request(request.GET, reach=reach), reach)


@login_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as a spreadsheet. It can leave the organisation, so small numbers are hidden."""
    reach = _reach_for(request)
    form = ReportFilterForm.for_request(request.GET, reach=reach)
    if not form.is_valid():
        return _page(request, form, reach)
    filters = form.filters()
    figures = report_figures(report_scope(reach, filters), filters, publish=True)
    audit_record(
        actor=request.user,
        action=AuditAction.DOWNLOAD,
        reason="Outcomes report CSV",
        detail=_audit_detail(filters),
    )

    def chunks():
        yield "\ufeff"  # so spreadsheets read the file as UTF-8
        yield from report_csv_chunks(figures)

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    name = f"outcomes-report-{filters.date_from.isoformat()}-to-{filters.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def report_export_create(request: HttpRequest) -> HttpResponse:
    """Ask for a committee PDF. A worker makes it; the next page says when it is ready."""
    reach = _reach_for(request)
    form = ReportFilterForm(request.POST, reach=reach)
    if not form.is_valid():
        return _page(request, form, reach, status=400)
    export = report_export_request(by=request.user, filters=form.filters())
    return redirect("outcomes:report_export", pk=export.pk)


def _export_for(request: HttpRequest, pk: int) -> ReportExport:
    export = get_object_or_404(
        ReportExport.objects.select_related("locality", "provider", "framework"), pk=pk
    )
    if not can_download_export(request.user, export):
        audit_denied(actor=request.user, obj=export)
        raise Http404("No such report")
    return export


@signed_in_or_not_found
@require_GET
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    export = _export_for(request, pk)
    filters = export_filters(export)
    return render(
        request,
        "outcomes/reports/export.html",
        {
            "export": export,
            "described": filters.describe(),
            "being_prepared": export.status == ExportStatus.QUEUED,
            "taking_too_long": export.status == ExportStatus.QUEUED
            and timezone.now() - export.requested_at > STALE_AFTER,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


@signed_in_or_not_found
@require_GET
def report_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _export_for(request, pk)
    if export.status != ExportStatus.READY or not export.file:
        raise Http404("This report is not ready")
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, obj=export)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
