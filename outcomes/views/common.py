"""Lookups every outcomes view shares, so the access rule is applied the same way everywhere."""

from django.http import Http404, HttpRequest

from core.audit import audit_denied
from outcomes.models import FamilyRecord
from outcomes.permissions import can_view_family


def family_or_404(request: HttpRequest, reference: str) -> FamilyRecord:
    """The family with this reference, if the person may see it. Otherwise 404 (and an audit entry),
    the same whether the family exists or not, so references cannot be probed."""
    family = (
        FamilyRecord.objects.filter(reference=reference)
        .select_related("locality", "supporting_organisation")
        .first()
    )
    if family is None or not can_view_family(request.user, family):
        audit_denied(
            actor=request.user,
            obj=family,
            detail=None if family else {"family_reference": reference[:60]},
        )
        raise Http404("No such family")
    return family
