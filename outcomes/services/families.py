"""The practitioner's side of a family record: adding a family with their consent, opening an episode
of help, and recording a checkpoint with the family. Every write checks who is asking, and is audited."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import Locality, Organisation, User
from core.models.audit import AuditAction
from outcomes.enums import ConsentScope
from outcomes.models import (
    Checkpoint,
    DomainScore,
    Episode,
    FamilyRecord,
    Framework,
    FrameworkDomain,
    Narrative,
    TriagedIssue,
    TriageLevel,
)
from outcomes.permissions import can_view_family
from outcomes.services.records import checkpoint_submit, episode_open


def family_create(
    *,
    by: User,
    locality: Locality,
    consent_scope: str,
    supporting_organisation: Organisation | None = None,
    supporting_team: str = "",
) -> FamilyRecord:
    """Add a family, known only by a generated reference, with the consent they gave just now.

    Refused if the person could not see the family afterwards: a record nobody supporting the family
    can open helps no one."""
    if not by.has_perm("outcomes.add_familyrecord"):
        raise PermissionDenied("You can't add families.")
    if consent_scope not in ConsentScope.values:
        raise ValueError(f"{consent_scope!r} is not a consent scope")
    with transaction.atomic():
        family = FamilyRecord.objects.create(
            locality=locality,
            supporting_organisation=supporting_organisation,
            supporting_team=supporting_team,
            consent_scope=consent_scope,
            consent_recorded_at=timezone.now(),
        )
        if not can_view_family(by, family):
            raise PermissionDenied("You would not be able to see this family's record.")
        audit_record(
            actor=by, action=AuditAction.CREATE, obj=family, detail={"consent_scope": consent_scope}
        )
    return family


def episode_reference_new(family: FamilyRecord) -> str:
    """The family's reference and the episode's number, e.g. "FAM-7KQ2-M9XD-2"."""
    number = family.episodes.count() + 1
    while Episode.objects.filter(reference=f"{family.reference}-{number}").exists():
        number += 1
    return f"{family.reference}-{number}"


def family_episode_open(
    *,
    family: FamilyRecord,
    framework: Framework,
    started_on: datetime.date,
    by: User,
    reference: str = "",
) -> Episode:
    """Open an episode of help, under the framework's current version. A blank reference gets one."""
    if not can_view_family(by, family):
        raise PermissionDenied("You can't work on this family's record.")
    with transaction.atomic():
        episode = episode_open(
            family=family,
            framework=framework,
            started_on=started_on,
            reference=reference.strip() or episode_reference_new(family),
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=episode)
    return episode


@dataclass(frozen=True)
class IssueEntry:
    issue: str
    level: TriageLevel


@dataclass(frozen=True)
class ScoreEntry:
    domain: FrameworkDomain
    score: int | None = None
    answer: bool | None = None
    level: TriageLevel | None = None
    goals: list[dict] = field(default_factory=list)


def checkpoint_record_assisted(
    *,
    episode: Episode,
    by: User,
    kind: str,
    recorded_on: datetime.date,
    issues: Sequence[IssueEntry] = (),
    narrative: str = "",
    prompt: str = "",
    narrative_by_family: bool = True,
    scores: Sequence[ScoreEntry] = (),
) -> Checkpoint:
    """Record a checkpoint a practitioner filled in with the family, and submit it.

    Everything is saved together or not at all: if the submission is refused (`TransitionRefused`),
    nothing of the checkpoint is kept."""
    if not can_view_family(by, episode.family):
        raise PermissionDenied("You can't work on this family's record.")
    version = episode.framework_version
    if any(entry.domain.version_id != version.pk for entry in scores):
        raise ValueError("Scores must be for the episode's framework version.")
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            episode=episode,
            kind=kind,
            recorded_on=recorded_on,
            self_reported=False,
            assisted_by=by,
        )
        TriagedIssue.objects.bulk_create(
            TriagedIssue(checkpoint=checkpoint, issue=entry.issue, level=entry.level)
            for entry in issues
        )
        if narrative.strip():
            Narrative.objects.create(
                checkpoint=checkpoint,
                prompt=prompt.strip(),
                text=narrative.strip(),
                written_by_family=narrative_by_family,
            )
        DomainScore.objects.bulk_create(
            DomainScore(
                checkpoint=checkpoint,
                domain=entry.domain,
                score=entry.score,
                answer=entry.answer,
                level=entry.level,
                goals=list(entry.goals),
            )
            for entry in scores
        )
        audit_record(actor=by, action=AuditAction.CREATE, obj=checkpoint, detail={"assisted": True})
        checkpoint_submit(checkpoint=checkpoint, by=by, reason="Recorded with the family")
    return checkpoint
