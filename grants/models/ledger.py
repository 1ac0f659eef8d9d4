from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.enums import LedgerKind


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The ledger is append-only: record a correcting entry instead.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("The ledger is append-only: record a correcting entry instead.")


class LedgerEntry(models.Model):
    """One movement of a fund's money. Append-only (the ORM and a database trigger refuse changes):
    a mistake is put right by a new entry. Every figure about a fund is derived from these."""

    fund = models.ForeignKey("grants.Fund", on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=30, choices=LedgerKind.choices)
    amount_pence = models.BigIntegerField()
    application = models.ForeignKey(
        "grants.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    source = models.ForeignKey(
        "grants.FundingSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    tranche = models.ForeignKey(
        "grants.Tranche",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    memo = models.CharField(max_length=300, blank=True)
    # The payment provider's own id (a payment intent, transfer or refund), for reconciliation.
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="ledger_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_pence}p ({self.fund})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The ledger is append-only: record a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The ledger is append-only: record a correcting entry instead.")
