"""Opening and closing episodes, and submitting checkpoints. Each goes through the audited workflow."""

import datetime

from django.utils import timezone

from core.models import Organisation, User
from core.workflow import transition_apply
from outcomes.enums import CaseOutcome
from outcomes.models import Checkpoint, Episode, FamilyRecord, Framework


def episode_open(
    *,
    family: FamilyRecord,
    framework: Framework,
    started_on: datetime.date,
    reference: str,
    provider: Organisation | None = None,
    team: str = "",
) -> Episode:
    version = framework.current_version
    if version is None:
        raise ValueError(f"{framework} has no version to record against yet.")
    return Episode.objects.create(
        family=family,
        framework_version=version,
        started_on=started_on,
        reference=reference,
        provider=provider or family.supporting_organisation,
        team=team or family.supporting_team,
    )


def episode_close(
    *, episode: Episode, outcome: str, closed_on: datetime.date, by: User | None, reason: str = ""
) -> Episode:
    if outcome not in CaseOutcome.values:
        raise ValueError(f"{outcome!r} is not a case outcome")
    return transition_apply(
        episode,
        episode.close,
        by=by,
        reason=reason or CaseOutcome(outcome).label,
        outcome=outcome,
        closed_on=closed_on,
    )


def checkpoint_submit(*, checkpoint: Checkpoint, by: User | None, reason: str = "") -> Checkpoint:
    return transition_apply(checkpoint, checkpoint.submit, by=by, reason=reason, at=timezone.now())
