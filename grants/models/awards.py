"""What follows an award: the agreement the group accepts, the payments, and the end-of-grant report."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models.documents import private_storage
from grants.enums import MonitoringStatus, TrancheStatus


class GrantAgreement(models.Model):
    """The award letter and agreement as issued, and the group's acceptance of it."""

    application = models.OneToOneField(
        "grants.Application", on_delete=models.PROTECT, related_name="agreement"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_pdf = models.FileField(
        storage=private_storage, upload_to="agreements/issued/", blank=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_name = models.CharField(max_length=150, blank=True)
    accepted_role = models.CharField(max_length=100, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_pdf = models.FileField(
        storage=private_storage, upload_to="agreements/accepted/", blank=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True)
                | (~Q(accepted_name="") & Q(accepted_ip__isnull=False)),
                name="acceptance_names_person_and_ip",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement for {self.application}"


class Tranche(models.Model):
    """One scheduled payment of an award."""

    application = models.ForeignKey(
        "grants.Application", on_delete=models.PROTECT, related_name="tranches"
    )
    number = models.PositiveSmallIntegerField()
    amount_pence = models.PositiveIntegerField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=TrancheStatus.choices, default=TrancheStatus.SCHEDULED
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="tranche_numbered_once"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=TrancheStatus.SCHEDULED, paid_at__isnull=True)
                | Q(status=TrancheStatus.PAID, paid_at__isnull=False),
                name="paid_tranche_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.number} of {self.application}"


class MonitoringReport(models.Model):
    """How it went: three questions and an optional photo under the short-form amount; the fund's
    end-of-grant form with spend against budget above it."""

    application = models.ForeignKey(
        "grants.Application", on_delete=models.PROTECT, related_name="monitoring_reports"
    )
    due_on = models.DateField(db_index=True)
    is_light_touch = models.BooleanField(default=True)
    form_snapshot = models.JSONField(default=list, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    spend = models.JSONField(
        default=list, blank=True, help_text="Spend against each budget line, in pence."
    )
    photo = models.ForeignKey(
        "core.PrivateDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=MonitoringStatus.choices, default=MonitoringStatus.DUE
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    officer_comment = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"End-of-grant report for {self.application}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status == MonitoringStatus.DUE and self.due_on < timezone.localdate()


class ReminderSent(models.Model):
    """A reminder that went out. The unique key is what makes beat running twice send one."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "due_on", "kind"], name="one_reminder_per_due_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.report}"
