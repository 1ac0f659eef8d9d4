"""Who may see a family's record. Family data is the most sensitive the product holds: the rule is
written once, here, and every view, export and report goes through it."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from core.permissions import localities_for
from outcomes.enums import ConsentScope

SHARED_WITH_COUNCIL = (ConsentScope.PARTNERS, ConsentScope.ANONYMOUS_REPORTING)

if TYPE_CHECKING:
    from core.models import User
    from outcomes.models import Checkpoint, Episode, FamilyRecord


def families_for(user: "User") -> "QuerySet[FamilyRecord]":
    """Families supported by the person's organisation, assigned to them by name, or (for officers
    with the right) in their localities when the family's consent covers the council's team."""
    from outcomes.models import FamilyRecord

    if not user.is_authenticated or not user.is_active:
        return FamilyRecord.objects.none()
    visible = Q(supporting_organisation__memberships__user=user) | Q(named_officers=user)
    if user.has_perm("outcomes.view_all_families"):
        # Officers see their localities' families only where the family agreed to the council's
        # early help team seeing their record.
        visible |= Q(locality__in=localities_for(user), consent_scope__in=SHARED_WITH_COUNCIL)
    return FamilyRecord.objects.filter(visible).distinct()


def can_view_family(user: "User", family: "FamilyRecord") -> bool:
    return families_for(user).filter(pk=family.pk).exists()


def can_close_episode(instance: "Episode", user: "User") -> bool:
    return can_view_family(user, instance.family)


def can_submit_checkpoint(instance: "Checkpoint", user: "User") -> bool:
    return can_view_family(user, instance.episode.family)


def can_code_narratives(user: "User") -> bool:
    return user.is_authenticated and user.has_perm("outcomes.code_narratives")


def can_view_reports(user: "User") -> bool:
    return user.is_authenticated and user.has_perm("outcomes.view_outcomes_reports")


IMPORT_PERMISSIONS = ("outcomes.add_familyrecord", "outcomes.view_all_families")


def can_import(user: "User") -> bool:
    """Importing creates family records across localities, so it needs both rights."""
    return user.is_authenticated and (user.is_superuser or user.has_perms(IMPORT_PERMISSIONS))
