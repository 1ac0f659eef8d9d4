from celery import shared_task


@shared_task(acks_late=True)
def make_report_export(export_id: int) -> str | None:
    """Make a queued committee report. Safe to deliver twice: a finished export is left alone."""
    from outcomes.services.report_exports import report_export_make

    export = report_export_make(export_id=export_id)
    return export.status if export else None


@shared_task
def purge_expired_family_records() -> dict[str, int]:
    """Nightly: delete family records past their framework's retention period (legal holds kept)."""
    from outcomes.services.privacy import families_purge_expired

    report = families_purge_expired()
    return {"deleted": report.deleted, "held": report.held}


@shared_task
def delete_old_report_exports() -> int:
    """Nightly: committee reports nobody has fetched for a while are deleted, file and all."""
    from core.exports_cleanup import download_retention_days, exports_delete_older_than
    from outcomes.models import ReportExport

    return exports_delete_older_than(
        ReportExport, days=download_retention_days(), at_field="requested_at"
    )
