"""Coding families' narratives against the codebook.

Suggestions come from each code's keywords, but a suggestion is only ever shown: a code is recorded
against a narrative when a coder ticks it, never because a word matched.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet

from core.audit import audit_record
from core.models import User
from core.models.audit import AuditAction
from core.permissions import localities_for
from outcomes.enums import CheckpointStatus, ConsentScope
from outcomes.models import Code, FamilyRecord, Narrative, NarrativeCode
from outcomes.permissions import can_code_narratives, families_for
from outcomes.selectors import uncoded_narratives

# Families who agreed that the council's early help team, not only their supporters, may see their record.
COUNCIL_TEAM_CONSENT = (ConsentScope.PARTNERS, ConsentScope.ANONYMOUS_REPORTING)


def coding_families(user: User) -> QuerySet[FamilyRecord]:
    """The families whose narratives `user` may code.

    Coding is the early help team's work across its patch, and a coder sees only a narrative's words,
    never the family's record, so the scope is the coder's localities (`localities_for`) rather than
    `families_for`, which would demand the right to open every family's page. Two limits keep it to
    what families agreed to: within those localities, only families whose consent covers the council's
    early help team (a family who said "only the people supporting us" is not read by the council);
    and the families the coder may see anyway (`families_for`, for example those their organisation
    supports) are included whatever their locality. Nobody sees another locality's narratives
    through the queue.
    """
    if not can_code_narratives(user):
        return FamilyRecord.objects.none()
    in_patch = Q(locality__in=localities_for(user), consent_scope__in=COUNCIL_TEAM_CONSENT)
    return FamilyRecord.objects.filter(in_patch | Q(pk__in=families_for(user).values("pk")))


def coding_queue(user: User) -> QuerySet[Narrative]:
    """Narratives waiting for a code, oldest first. A checkpoint still being filled in is not ready:
    the family may change their words until they submit it."""
    return uncoded_narratives(coding_families(user)).filter(
        checkpoint__status=CheckpointStatus.SUBMITTED
    )


def can_code_narrative(user: User, narrative: Narrative) -> bool:
    """Whether the narrative is one this coder may read and code: in their scope, and submitted."""
    return Narrative.objects.filter(
        pk=narrative.pk,
        checkpoint__status=CheckpointStatus.SUBMITTED,
        checkpoint__episode__family__in=coding_families(user),
    ).exists()


def _normalised(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def _mentions(text: str, keyword: str) -> bool:
    # Whole words only: "rent" should not suggest housing for "parent".
    return re.search(rf"(?<!\w){re.escape(_normalised(keyword))}(?!\w)", text) is not None


def matched_keywords(code: Code, narrative: Narrative) -> list[str]:
    text = _normalised(narrative.text)
    return [keyword for keyword in code.keyword_list if _mentions(text, keyword)]


def code_suggestions(narrative: Narrative, codes: Iterable[Code] | None = None) -> list[Code]:
    """Codes whose keywords appear in the narrative, in codebook order. Suggestions only."""
    candidates = Code.objects.select_related("codebook") if codes is None else codes
    return [code for code in candidates if matched_keywords(code, narrative)]


def narrative_code(*, narrative: Narrative, codes: Iterable[Code], by: User) -> list[NarrativeCode]:
    """Record the codes a coder chose for a narrative. Each row says who coded it and when."""
    chosen = list(dict.fromkeys(codes))
    if not chosen:
        raise ValueError("Choose at least one code.")
    if not can_code_narrative(by, narrative):
        raise PermissionDenied("You can't code this narrative.")
    with transaction.atomic():
        # Two coders saving the same narrative at once take turns, so neither sees a clash.
        Narrative.objects.select_for_update().filter(pk=narrative.pk).first()
        already = set(narrative.codings.values_list("code_id", flat=True))
        created = [
            NarrativeCode.objects.create(narrative=narrative, code=code, coded_by=by)
            for code in chosen
            if code.pk not in already
        ]
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=narrative,
            reason="Coded",
            detail={"codes": [code.key for code in chosen]},
        )
    return created
