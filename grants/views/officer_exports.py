"""The officer's large downloads: ask for one, watch it being made, fetch it when ready."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_record
from core.models.audit import AuditAction
from grants.models import ApplicationExport
from grants.models.exports import ExportStatus
from grants.services.exports import export_request


def _message(export: ApplicationExport) -> str:
    if export.status == ExportStatus.READY:
        return f"Ready: {export.rows_total} applications."
    if export.status == ExportStatus.FAILED:
        return "Sorry, the export could not be made. Try again, or ask for fewer applications."
    if export.status == ExportStatus.RUNNING and export.rows_total:
        return f"{export.rows_done} of {export.rows_total} applications done."
    return "Waiting to start."


def _own(request: HttpRequest, pk: int) -> ApplicationExport:
    export = ApplicationExport.objects.filter(pk=pk, requested_by=request.user).first()
    if export is None:
        raise Http404
    return export


@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    from grants.viewsets import APPLICATIONS

    if not request.user.has_perm("grants.view_application"):
        raise Http404
    export = export_request(
        user=request.user,
        query=request.POST.get("query", ""),
        format=request.POST.get("format", ""),
    )
    return redirect(f"{APPLICATIONS}:export", export.pk)


@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own(request, pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {"status": export.status, "percent": export.percent_done, "message": _message(export)}
        )
    return render(
        request, "grants/admin/export.html", {"export": export, "message": _message(export)}
    )


@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _own(request, pk)
    if export.status != ExportStatus.READY:
        raise Http404
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, obj=export)
    response = FileResponse(
        export.file.open("rb"), as_attachment=True, filename=f"applications.{export.format}"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
