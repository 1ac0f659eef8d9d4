"""Large downloads of the officer's application list, made by a worker with visible progress.

The worker rebuilds the list from the filters as the officer asked for them and from the officer's
own reach at the time it runs, so an export never holds more than its requester may see."""

import csv
import datetime
import io
import logging
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from core.models import User
from core.outbox import enqueue_after_commit
from core.spreadsheets import csv_safe
from grants.models import Application, ApplicationExport
from grants.models.exports import ExportFormat, ExportStatus

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500


def _local(moment: datetime.datetime | None) -> str:
    """A moment as the council's clock showed it, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# One set of columns for every download of the officers' list: straight from the list, or prepared.
COLUMNS = [
    ("Reference", lambda a: a.reference),
    ("Title", lambda a: a.title),
    ("Group", lambda a: a.organisation.name),
    ("Fund", lambda a: a.fund.name),
    ("Area", lambda a: a.fund.area_name),
    ("Status", lambda a: a.get_status_display()),
    ("Asked for (pence)", lambda a: a.amount_requested_pence),
    ("Awarded (pence)", lambda a: a.amount_awarded_pence),
    ("Submitted", lambda a: _local(a.submitted_at)),
    ("Decision due", lambda a: a.decision_due_on.isoformat() if a.decision_due_on else ""),
    ("Decided", lambda a: _local(a.decided_at)),
    ("Decline reason", lambda a: a.get_decline_reason_display()),
]


def applications_matching(user: User, data: QueryDict) -> QuerySet[Application]:
    """The applications the officer's list shows for these filters and search words (`q`), of
    those the officer may see: what "act on several" and the prepared download work on."""
    from grants.viewsets import ApplicationFilterSet, ApplicationViewSet, application_policy

    scoped = application_policy.instances_user_has_any_permission_for(user, ["view"])
    filters = ApplicationFilterSet(
        data or None, queryset=scoped, request=SimpleNamespace(user=user)
    )
    chosen = filters.qs if filters.is_bound and filters.is_valid() else scoped
    if words := data.get("q", "").strip():
        found = Q()
        for name in ApplicationViewSet.search_fields:
            found |= Q(**{f"{name}__icontains": words})
        chosen = chosen.filter(found)
    return chosen


def applications_for_export(user: User, query: str) -> QuerySet[Application]:
    return (
        applications_matching(user, QueryDict(query))
        .select_related("fund", "fund__locality", "organisation")
        .order_by("pk")
    )


def export_request(*, user: User, query: str, format: str) -> ApplicationExport:
    from grants.tasks import make_application_export

    if format not in ExportFormat.values:
        format = ExportFormat.CSV
    export = ApplicationExport.objects.create(requested_by=user, query=query, format=format)
    enqueue_after_commit(make_application_export, export.pk)
    return export


def _rows(applications: QuerySet[Application], export: ApplicationExport):
    for done, application in enumerate(applications.iterator(chunk_size=2000), start=1):
        yield [csv_safe(value(application)) for _, value in COLUMNS]
        if done % PROGRESS_EVERY == 0:
            ApplicationExport.objects.filter(pk=export.pk).update(rows_done=done)


def _csv(applications, export) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading for heading, _ in COLUMNS])
    writer.writerows(_rows(applications, export))
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(applications, export) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Applications")
    sheet.append([heading for heading, _ in COLUMNS])
    for row in _rows(applications, export):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if cell.data_type == "f":
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_make(export_id: int) -> ApplicationExport | None:
    """Make the file. A task delivered twice finds the export already taken and does nothing."""
    claimed = ApplicationExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return None
    export = ApplicationExport.objects.select_related("requested_by").get(pk=export_id)
    try:
        applications = applications_for_export(export.requested_by, export.query)
        ApplicationExport.objects.filter(pk=export.pk).update(rows_total=applications.count())
        content = (_xlsx if export.format == ExportFormat.XLSX else _csv)(applications, export)
        export.refresh_from_db()
        export.file.save(f"applications.{export.format}", ContentFile(content), save=False)
        export.status = ExportStatus.READY
        export.rows_done = export.rows_total
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "rows_done", "finished_at"])
    except Exception as error:
        logger.exception("application export %s failed", export_id)
        ApplicationExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            failure=f"{type(error).__name__}: the export could not be made",
        )
        return None
    return export
