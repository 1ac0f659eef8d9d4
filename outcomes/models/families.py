import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from outcomes.enums import CheckpointKind, ConsentScope


def new_family_reference() -> str:
    # Short, unguessable and free of names: e.g. "FAM-7KQ2-M9XD".
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"FAM-{body[:4]}-{body[4:]}"


class FamilyRecord(models.Model):
    """A family, known only by a reference. No names are needed, and none are asked for."""

    reference = models.CharField(max_length=40, unique=True, default=new_family_reference)
    locality = models.ForeignKey("core.Locality", on_delete=models.PROTECT, related_name="families")
    supporting_organisation = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supported_families",
        help_text="The provider or funded group supporting this family, if any.",
    )
    supporting_team = models.CharField(
        max_length=120,
        blank=True,
        help_text="A council team, if a council team is supporting them.",
    )
    named_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_families",
        help_text="Officers who may see this family's record besides the supporting organisation.",
    )
    consent_scope = models.CharField(
        max_length=30, choices=ConsentScope.choices, default=ConsentScope.SUPPORT_ONLY
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    legal_hold = models.BooleanField(
        default=False,
        help_text="Keep this record past its retention period (for example, a court case).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        permissions = [
            ("view_all_families", "Can see every family record in their localities"),
            ("code_narratives", "Can code families' narratives"),
            ("view_outcomes_reports", "Can see outcomes reports"),
        ]

    def __str__(self) -> str:
        return self.reference


class CheckpointLink(models.Model):
    """A signed, expiring link a family uses to tell their story at one checkpoint, with no account."""

    episode = models.ForeignKey("outcomes.Episode", on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=CheckpointKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assisted = models.BooleanField(
        default=False, help_text="A practitioner is filling this in with the family."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} link for {self.episode}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
