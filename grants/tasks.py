from celery import shared_task


@shared_task
def send_monitoring_reminders() -> dict[str, int]:
    """Daily: open end-of-grant reports that are near, and remind groups once per due date."""
    from grants.services.monitoring import reminders_send

    run = reminders_send()
    return {"opened": run.opened, "reminded": run.reminded}


@shared_task(acks_late=True)
def make_application_export(export_id: int) -> str | None:
    """Make a large applications download. Safe to deliver twice."""
    from grants.services.exports import export_make

    export = export_make(export_id)
    return export.status if export else None


@shared_task
def delete_old_application_exports() -> int:
    """Nightly: prepared application downloads are deleted after a few days, file and all."""
    from core.exports_cleanup import download_retention_days, exports_delete_older_than
    from grants.models import ApplicationExport

    return exports_delete_older_than(
        ApplicationExport, days=download_retention_days(), at_field="requested_at"
    )


@shared_task(acks_late=True)
def make_agreement_pdf(agreement_id: int, accepted: bool) -> bool:
    """Make a grant agreement's PDF, as issued or as accepted. Safe to deliver twice."""
    from grants.services.awards import agreement_pdf_store

    return agreement_pdf_store(agreement_id=agreement_id, accepted=accepted) is not None
