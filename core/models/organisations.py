import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.enums import LegalForm, OrganisationRole
from core.orgid import (
    derive_org_id,
    normalise_registration_number,
    validate_charity_number,
    validate_company_number,
)

from .localities import Locality

UK_POSTCODE_PATTERN = r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"

REQUIRES_CHARITY_NUMBER = {LegalForm.CHARITY, LegalForm.CIO}
REQUIRES_COMPANY_NUMBER = {LegalForm.CIC, LegalForm.COMPANY_LIMITED_BY_GUARANTEE}


class Organisation(models.Model):
    """A voluntary, community, faith or social enterprise group: often unincorporated, run by volunteers."""

    name = models.CharField(max_length=200)
    legal_form = models.CharField(max_length=20, choices=LegalForm.choices)
    charity_number = models.CharField(
        max_length=12, blank=True, validators=[validate_charity_number]
    )
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number]
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="What the group does, in its own words.")
    localities = models.ManyToManyField(Locality, related_name="organisations", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrganisationMembership", related_name="organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.charity_number = normalise_registration_number(self.charity_number)
        self.company_number = normalise_registration_number(self.company_number)
        self.postcode = " ".join(self.postcode.upper().split())
        errors = {}
        if self.legal_form in REQUIRES_CHARITY_NUMBER and not self.charity_number:
            errors["charity_number"] = (
                "Enter the charity number: a registered charity or CIO has one."
            )
        if self.legal_form in REQUIRES_COMPANY_NUMBER and not self.company_number:
            errors["company_number"] = (
                "Enter the company number: a company registered at Companies House has one."
            )
        if self.postcode:
            compact = self.postcode.replace(" ", "")
            if not re.match(UK_POSTCODE_PATTERN, self.postcode) or len(compact) < 5:
                errors["postcode"] = "Enter a real UK postcode, like SW1A 1AA."
            else:
                self.postcode = f"{compact[:-3]} {compact[-3:]}"
        if errors:
            raise ValidationError(errors)

    @property
    def org_id(self) -> str:
        """The 360Giving identifier (GB-CHC-…, GB-COH-…, or 360G-… for unregistered groups)."""
        return derive_org_id(
            charity_number=self.charity_number,
            company_number=self.company_number,
            local_id=self.pk or "new",
        )


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(
        max_length=10, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"
