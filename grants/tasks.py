from celery import shared_task


@shared_task
def send_monitoring_reminders() -> dict[str, int]:
    """Daily: open end-of-grant reports that are near, and remind groups once per due date."""
    from grants.services.monitoring import reminders_send

    run = reminders_send()
    return {"opened": run.opened, "reminded": run.reminded}
