"""The published figure: 132 triages at assessment and 81 at closure, reproduced from the records."""

import json

from django.core.management import call_command

import pytest

from core.models import Locality
from outcomes.demo import table_one_csv

pytestmark = pytest.mark.django_db

PUBLISHED = {
    "blue": ((74, 56), (53, 65), 17),
    "green": ((76, 58), (47, 58), 0),
    "yellow": ((113, 86), (20, 25), -71),
    "orange": ((95, 72), (18, 22), -69),
}


@pytest.fixture
def imported(tmp_path, capsys):
    for name in ("Ashby Vale", "Millbrook", "Riverside"):
        Locality.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    call_command("load_frameworks")
    triage, outcomes = table_one_csv(["Ashby Vale", "Millbrook", "Riverside"])
    (tmp_path / "triage.csv").write_text(triage)
    (tmp_path / "outcomes.csv").write_text(outcomes)
    call_command(
        "import_outcomes",
        "--triage",
        tmp_path / "triage.csv",
        "--outcomes",
        tmp_path / "outcomes.csv",
    )
    capsys.readouterr()
    return tmp_path


def _report(capsys, *args) -> dict:
    call_command(
        "outcomes_report", "--from", "2020-04-01", "--to", "2020-12-31", "--format", "json", *args
    )
    return json.loads(capsys.readouterr().out)


def test_the_councils_published_triage_table_comes_out_exactly(imported, capsys):
    report = _report(capsys)
    assert report["triages"] == {"assessment": 132, "closure": 81}
    for level, ((a_count, a_pct), (c_count, c_pct), change) in PUBLISHED.items():
        row = report["levels"][level]
        assert row["assessment"] == {"count": a_count, "percent": a_pct}, level
        assert row["closure"] == {"count": c_count, "percent": c_pct}, level
        assert row["change_percent"] == change, level
    assert report["levels"]["blue"]["change"] == "17% increase"
    assert report["levels"]["green"]["change"] == "no change"
    assert report["levels"]["yellow"]["change"] == "71% decrease"


def test_the_case_outcome_split_is_counted_from_closed_episodes(imported, capsys):
    outcomes = _report(capsys)["case_outcomes"]
    assert outcomes == {
        "closed_positive": 43,
        "transferred": 2,
        "relocated": 2,
        "escalated": 12,
        "declined": 10,
        "disengaged": 12,
    }


def test_a_report_for_one_locality_counts_only_its_families(imported, capsys):
    report = _report(capsys, "--locality", "Millbrook")
    assert report["triages"]["assessment"] == 44  # every third of 132
    assert sum(report["case_outcomes"].values()) == 27


def test_importing_the_same_files_again_changes_nothing(imported, capsys):
    call_command(
        "import_outcomes",
        "--triage",
        imported / "triage.csv",
        "--outcomes",
        imported / "outcomes.csv",
    )
    printed = capsys.readouterr().out
    assert "0 episodes created, 0 checkpoints created, 0 triaged issues created" in printed
    assert _report(capsys)["triages"] == {"assessment": 132, "closure": 81}


def test_a_published_report_hides_small_numbers(imported, capsys):
    report = _report(capsys, "--publish")
    assert report["case_outcomes"]["transferred"] == "<5"
    assert report["case_outcome_percent"]["transferred"] is None
    assert report["case_outcomes"]["closed_positive"] == 43
