"""Keeping family data only as long as needed, showing a family everything held about them, and
erasing on request while keeping the anonymous counts reports depend on."""

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from core.models import User
from core.models.audit import AuditAction
from outcomes.enums import EpisodeStatus
from outcomes.models import CheckpointLink, DomainScore, Episode, FamilyRecord, Framework, Narrative

ERASED_PREFIX = "ERASED-"


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    # The last valid day of that month, so 31 March minus one month is 28/29 February.
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass(frozen=True)
class PurgeReport:
    deleted: int
    held: int


def expired_families(*, today: datetime.date):
    """Families whose every episode closed longer ago than its framework's retention period."""
    still_needed = Q(status=EpisodeStatus.OPEN)
    for framework in Framework.objects.all():
        cutoff = _months_before(today, framework.retention_months)
        still_needed |= Q(framework_version__framework=framework, closed_on__gte=cutoff)
    return (
        FamilyRecord.objects.filter(episodes__isnull=False)
        .exclude(pk__in=Episode.objects.filter(still_needed).values("family_id"))
        .distinct()
    )


@transaction.atomic
def families_purge_expired(*, today: datetime.date | None = None) -> PurgeReport:
    """Delete expired family records and everything under them, except those under a legal hold.
    The audit trail keeps that a record existed and was deleted, never what it said."""
    today = today or timezone.localdate()
    deleted = held = 0
    for family in expired_families(today=today).order_by("pk"):
        if family.legal_hold:
            held += 1
            continue
        audit_record(
            actor=None,
            action=AuditAction.SECURITY,
            obj=family,
            to_state="deleted",
            reason="Retention period ended",
        )
        family.delete()
        deleted += 1
    return PurgeReport(deleted=deleted, held=held)


def family_export(family: FamilyRecord) -> dict[str, Any]:
    """Everything held about one family, for a subject access request. Other families' data and the
    names of staff are not included; who helped is given as a role, not a person."""
    episodes = (
        family.episodes.select_related("framework_version__framework", "provider")
        .prefetch_related(
            "checkpoints__issues__level",
            "checkpoints__narratives__codings__code",
            "checkpoints__scores__domain",
            "checkpoints__scores__level",
        )
        .order_by("started_on")
    )
    return {
        "reference": family.reference,
        "locality": family.locality.name,
        "supported_by": family.supporting_organisation.name
        if family.supporting_organisation
        else "",
        "supporting_team": family.supporting_team,
        "consent": {
            "scope": family.get_consent_scope_display(),
            "recorded_at": family.consent_recorded_at.isoformat()
            if family.consent_recorded_at
            else None,
        },
        "episodes": [
            {
                "reference": episode.reference,
                "framework": f"{episode.framework_version.framework.name} (version {episode.framework_version.number})",
                "provider": episode.provider.name if episode.provider else "",
                "team": episode.team,
                "started_on": episode.started_on.isoformat(),
                "closed_on": episode.closed_on.isoformat() if episode.closed_on else None,
                "outcome": episode.get_outcome_display() if episode.outcome else None,
                "checkpoints": [
                    {
                        "kind": checkpoint.get_kind_display(),
                        "recorded_on": checkpoint.recorded_on.isoformat(),
                        "filled_in_by_family": checkpoint.self_reported,
                        "with_a_practitioner": checkpoint.assisted_by_id is not None,
                        "issues": [
                            {"issue": issue.issue, "level": issue.level.label}
                            for issue in checkpoint.issues.all()
                        ],
                        "in_your_words": [
                            {
                                "question": narrative.prompt,
                                "answer": narrative.text,
                                "themes_noted": [
                                    coding.code.label for coding in narrative.codings.all()
                                ],
                            }
                            for narrative in checkpoint.narratives.all()
                        ],
                        "scores": [
                            {
                                "question": score.domain.question,
                                "score": score.score,
                                "answer": score.answer,
                                "level": score.level.label if score.level else None,
                                "goals": score.goals,
                            }
                            for score in checkpoint.scores.all()
                        ],
                    }
                    for checkpoint in episode.checkpoints.all()
                ],
            }
            for episode in episodes
        ],
    }


@transaction.atomic
def family_erase(*, family: FamilyRecord, by: User | None, reason: str) -> FamilyRecord:
    """Erase what could identify a family and every word they wrote, keeping only what anonymous
    counts need: locality, framework, dates, levels, scores and how each episode ended."""
    Narrative.objects.filter(checkpoint__episode__family=family).delete()
    DomainScore.objects.filter(checkpoint__episode__family=family).exclude(goals=[]).update(
        goals=[]
    )
    CheckpointLink.objects.filter(episode__family=family).delete()
    for episode in family.episodes.all():
        episode.team = ""
        episode.reference = f"{ERASED_PREFIX}{secrets.token_hex(6)}"
        episode.save(update_fields=["team", "reference"])
    family.reference = f"{ERASED_PREFIX}{secrets.token_hex(6)}"
    family.supporting_team = ""
    family.consent_recorded_at = None
    family.save(update_fields=["reference", "supporting_team", "consent_recorded_at"])
    family.named_officers.clear()
    audit_record(
        actor=by, action=AuditAction.SECURITY, obj=family, to_state="erased", reason=reason
    )
    return family


def is_erased(family: FamilyRecord) -> bool:
    return family.reference.startswith(ERASED_PREFIX)


def erased_filter() -> Q:
    return Q(reference__startswith=ERASED_PREFIX)
