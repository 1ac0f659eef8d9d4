"""The outcomes workflows, pinned: every transition, its states, and the permission it declares."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.workflow import TransitionRefused
from outcomes.enums import CaseOutcome, CheckpointStatus, EpisodeStatus
from outcomes.models import Checkpoint, Episode
from outcomes.permissions import can_close_episode, can_submit_checkpoint


def _table(model) -> set[tuple[str, str, str]]:
    field = model._meta.get_field("status")
    return {(str(t.source), str(t.target), t.name) for t in field.get_all_transitions(model)}


def test_the_episode_workflow_is_exactly_open_and_closed():
    assert _table(Episode) == {
        (EpisodeStatus.OPEN, EpisodeStatus.CLOSED, "close"),
        (EpisodeStatus.CLOSED, EpisodeStatus.OPEN, "reopen"),
    }


def test_the_checkpoint_workflow_is_exactly_draft_to_submitted():
    assert _table(Checkpoint) == {(CheckpointStatus.DRAFT, CheckpointStatus.SUBMITTED, "submit")}


@pytest.mark.parametrize("model", [Episode, Checkpoint])
def test_every_transition_declares_who_may_make_it(model):
    field = model._meta.get_field("status")
    permissions = {t.name: t.permission for t in field.get_all_transitions(model)}
    assert all(permissions.values()), permissions
    assert permissions.get("close", can_close_episode) is can_close_episode
    assert permissions.get("submit", can_submit_checkpoint) is can_submit_checkpoint


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["close", "reopen"]), min_size=1, max_size=8))
def test_any_sequence_of_closing_and_reopening_leaves_a_consistent_episode(steps):
    from core.models import Locality
    from outcomes.models import FamilyRecord, Framework
    from outcomes.services.frameworks import frameworks_load
    from outcomes.services.records import episode_close

    frameworks_load()
    locality, _ = Locality.objects.get_or_create(name="Millbrook", slug="millbrook")
    family = FamilyRecord.objects.create(locality=locality)
    episode = Episode.objects.create(
        family=family,
        reference=f"HYP-{family.pk}",
        framework_version=Framework.objects.get(slug="early-help-triage").current_version,
        started_on=datetime.date(2026, 1, 5),
    )
    from core.workflow import transition_apply

    for step in steps:
        episode.refresh_from_db()
        try:
            if step == "close":
                episode_close(
                    episode=episode,
                    outcome=CaseOutcome.DECLINED,
                    closed_on=datetime.date(2026, 2, 1),
                    by=None,
                )
            else:
                transition_apply(episode, episode.reopen, by=None)
        except TransitionRefused:
            pass
        episode.refresh_from_db()
        if episode.status == EpisodeStatus.CLOSED:
            assert episode.outcome and episode.closed_on
        else:
            assert episode.outcome == "" and episode.closed_on is None
