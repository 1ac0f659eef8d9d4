from celery import shared_task


@shared_task(acks_late=True)
def make_report_export(export_id: int) -> str | None:
    """Make a queued committee report. Safe to deliver twice: a finished export is left alone."""
    from outcomes.services.report_exports import report_export_make

    export = report_export_make(export_id=export_id)
    return export.status if export else None
