"""A download of many applications, made by a worker while the officer watches its progress."""

import uuid

from django.conf import settings
from django.db import models

from core.models.documents import private_storage


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be made"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


def application_export_path(instance: "ApplicationExport", filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}.{instance.format}"


class ApplicationExport(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    query = models.TextField(blank=True, help_text="The list's filters, as they were asked for.")
    format = models.CharField(max_length=5, choices=ExportFormat.choices)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(
        storage=private_storage, upload_to=application_export_path, max_length=200, blank=True
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="ready_application_export_has_a_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Applications export {self.pk} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
