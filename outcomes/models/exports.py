"""A committee report someone asked for: made by a worker, kept privately, fetched by the person who asked."""

import uuid

from django.conf import settings
from django.db import models

from core.models.documents import private_storage


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


def report_export_path(instance: "ReportExport", filename: str) -> str:
    # A generated name: nothing about the scope or the person is in the path.
    return f"reports/{uuid.uuid4().hex}.pdf"


class ReportExport(models.Model):
    """One outcomes report made as a PDF for a committee: who asked, for what, and how it went.

    The status is set by the worker with conditional updates (queued → ready or failed), so a task
    delivered twice makes one file; there is no person-driven workflow to guard.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    date_from = models.DateField()
    date_to = models.DateField()
    locality = models.ForeignKey(
        "core.Locality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.CharField(max_length=120, blank=True)
    framework = models.ForeignKey(
        "outcomes.Framework", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        "grants.Fund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only the help given by groups this fund has awarded grants to.",
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(
        storage=private_storage, upload_to=report_export_path, max_length=200, blank=True
    )
    size = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(
        max_length=200, blank=True, help_text="Why it could not be made; never personal data."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__gte=models.F("date_from")),
                name="report_export_period_is_forwards",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="ready_report_export_has_a_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcomes report {self.date_from} to {self.date_to} ({self.get_status_display()})"

    @property
    def download_filename(self) -> str:
        return f"outcomes-report-{self.date_from.isoformat()}-to-{self.date_to.isoformat()}.pdf"
