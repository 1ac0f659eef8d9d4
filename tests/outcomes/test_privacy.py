"""Family data is kept only as long as needed, shown in full to the family, and erasable."""

import datetime
import json

from django.core.management import call_command

import pytest

from core.models import AuditEntry, Locality
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus
from outcomes.models import (
    Checkpoint,
    DomainScore,
    Episode,
    FamilyRecord,
    Framework,
    Narrative,
    TriagedIssue,
)
from outcomes.selectors import ReportScope, case_outcome_split, triage_table
from outcomes.services.frameworks import frameworks_load
from outcomes.services.privacy import family_erase

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    frameworks_load()
    return Framework.objects.get(slug="early-help-triage")


def _family(
    framework, *, reference, closed_on=None, words="We were behind on the rent.", hold=False
):
    locality, _ = Locality.objects.get_or_create(name="Riverside", slug="riverside")
    family = FamilyRecord.objects.create(reference=reference, locality=locality, legal_hold=hold)
    episode = Episode.objects.create(
        family=family,
        reference=f"EP-{reference}",
        framework_version=framework.current_version,
        started_on=datetime.date(2019, 1, 10),
    )
    checkpoint = Checkpoint.objects.create(
        episode=episode,
        kind=CheckpointKind.ASSESSMENT,
        recorded_on=datetime.date(2019, 1, 10),
        status=CheckpointStatus.SUBMITTED,
    )
    TriagedIssue.objects.create(
        checkpoint=checkpoint,
        issue="housing",
        level=framework.triage_scale.levels.get(key="orange"),
    )
    Narrative.objects.create(checkpoint=checkpoint, prompt="How are things?", text=words)
    goals = framework.current_version.domains.get(key="own-goals")
    DomainScore.objects.create(
        checkpoint=checkpoint, domain=goals, goals=[{"goal": "Find a new flat", "rating": 2}]
    )
    if closed_on:
        from outcomes.services.records import episode_close

        episode_close(
            episode=episode, outcome=CaseOutcome.CLOSED_POSITIVE, closed_on=closed_on, by=None
        )
    return family


def test_records_past_their_retention_period_are_deleted_except_under_a_legal_hold(
    framework, capsys
):
    expired = _family(framework, reference="FAM-OLD", closed_on=datetime.date(2019, 6, 1))
    held = _family(framework, reference="FAM-HELD", closed_on=datetime.date(2019, 6, 1), hold=True)
    recent = _family(framework, reference="FAM-RECENT", closed_on=datetime.date(2024, 6, 1))
    still_open = _family(framework, reference="FAM-OPEN")

    call_command("purge_outcomes", "--today", "2026-11-24")

    assert "Deleted 1 family records; kept 1 under a legal hold." in capsys.readouterr().out
    remaining = set(FamilyRecord.objects.values_list("reference", flat=True))
    assert remaining == {held.reference, recent.reference, still_open.reference}
    assert not Narrative.objects.filter(text__contains="FAM-OLD").exists()
    assert Narrative.objects.count() == 3
    entry = AuditEntry.objects.get(to_state="deleted")
    assert entry.object_id == str(expired.pk)
    assert "rent" not in entry.reason and "FAM-OLD" not in entry.object_label


def test_a_six_year_retention_keeps_a_record_until_six_years_have_passed(framework, capsys):
    _family(framework, reference="FAM-EDGE", closed_on=datetime.date(2020, 11, 24))
    call_command("purge_outcomes", "--today", "2026-11-24")
    assert FamilyRecord.objects.filter(reference="FAM-EDGE").exists()
    call_command("purge_outcomes", "--today", "2026-11-25")
    assert not FamilyRecord.objects.filter(reference="FAM-EDGE").exists()


def test_a_subject_access_export_holds_everything_about_one_family_and_nothing_of_another(
    framework, capsys
):
    _family(framework, reference="FAM-A", words="Family A's own words about the rent.")
    _family(framework, reference="FAM-B", words="Family B's private words.")
    call_command("export_family", "FAM-A")
    export = json.loads(capsys.readouterr().out)
    text = json.dumps(export)
    assert export["reference"] == "FAM-A"
    assert "Family A's own words" in text and "Find a new flat" in text and "housing" in text
    assert "Family B" not in text and "FAM-B" not in text


def test_erasure_keeps_anonymous_counts_and_the_audit_trail_but_not_the_familys_words(framework):
    family = _family(framework, reference="FAM-ERASE", closed_on=datetime.date(2026, 6, 1))
    scope = ReportScope(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2026, 12, 31))
    before = (
        triage_table(scope, framework.triage_scale).assessment_total,
        case_outcome_split(scope).total,
    )
    audit_before = AuditEntry.objects.for_object(family.episodes.get()).count()

    family_erase(family=family, by=None, reason="Erasure request")

    family.refresh_from_db()
    assert family.reference.startswith("ERASED-")
    assert not Narrative.objects.filter(checkpoint__episode__family=family).exists()
    assert DomainScore.objects.get(checkpoint__episode__family=family).goals == []
    after = (
        triage_table(scope, framework.triage_scale).assessment_total,
        case_outcome_split(scope).total,
    )
    assert after == before == (1, 1)
    assert AuditEntry.objects.for_object(family.episodes.get()).count() == audit_before == 1
    assert AuditEntry.objects.for_object(family).filter(to_state="erased").exists()


def test_the_nightly_purge_is_scheduled_and_runs_as_a_task(framework, settings):
    from outcomes.tasks import purge_expired_family_records

    schedule = settings.CELERY_BEAT_SCHEDULE["purge-expired-family-records"]
    assert schedule["task"] == purge_expired_family_records.name
    _family(framework, reference="FAM-NIGHTLY", closed_on=datetime.date(2010, 1, 1))
    assert purge_expired_family_records.delay().get() == {"deleted": 1, "held": 0}
    assert not FamilyRecord.objects.filter(reference="FAM-NIGHTLY").exists()
