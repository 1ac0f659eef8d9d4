"""Bringing councils' spreadsheets in. All or nothing per file, idempotent, and every problem named
with its row, so a typo never half-imports a year of records or invents a locality."""

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction

from core.audit import audit_record
from core.models import Locality
from core.models.audit import AuditAction
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus
from outcomes.models import Checkpoint, Episode, FamilyRecord, Framework, TriagedIssue
from outcomes.services.records import episode_close

TRIAGE_COLUMNS = ["episode_ref", "checkpoint", "recorded_on", "locality", "issue", "level"]
OUTCOME_COLUMNS = ["episode_ref", "closed_on", "outcome"]
IMPORTABLE_CHECKPOINTS = {CheckpointKind.ASSESSMENT.value, CheckpointKind.CLOSURE.value}


class ImportRejected(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    episodes_created: int = 0
    checkpoints_created: int = 0
    issues_created: int = 0
    episodes_closed: int = 0
    rows_already_present: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.episodes_created} episodes created",
            f"{self.checkpoints_created} checkpoints created",
            f"{self.issues_created} triaged issues created",
        ]
        if self.episodes_closed:
            parts.append(f"{self.episodes_closed} episodes closed")
        parts.append(f"{self.rows_already_present} rows were already imported")
        return ", ".join(parts)


def _rows(handle: IO[str], columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    text = handle.read()
    if text.startswith("\ufeff"):
        text = text[1:]  # spreadsheets often save a byte-order mark
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in columns if name not in header]
    if missing:
        raise ImportRejected(
            [f"row 1: the header is missing {', '.join(missing)} (expected {','.join(columns)})"]
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        cleaned = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        if any(cleaned.values()):
            rows.append((number, cleaned))
    if not rows:
        raise ImportRejected(["the file has no rows after the header"])
    return rows


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@transaction.atomic
def triage_import(handle: IO[str], *, framework: Framework, source: str = "") -> ImportReport:
    """Import one row per triaged issue: episode_ref,checkpoint,recorded_on,locality,issue,level."""
    rows = _rows(handle, TRIAGE_COLUMNS)
    scale = framework.triage_scale
    if scale is None or framework.current_version is None:
        raise ImportRejected([f"the framework {framework} has no triage scale to import against"])
    levels = {level.key: level for level in scale.levels.all()}
    localities = {locality.name.casefold(): locality for locality in Locality.objects.all()}
    problems: list[str] = []
    episode_locality: dict[str, tuple[int, str]] = {}
    checkpoint_dates: dict[tuple[str, str], tuple[int, datetime.date]] = {}
    issue_levels: dict[tuple[str, str, str], tuple[int, str]] = {}
    for number, row in rows:
        ref, kind, level_key = row["episode_ref"], row["checkpoint"].lower(), row["level"].lower()
        recorded_on = _date(row["recorded_on"])
        if not ref:
            problems.append(f"row {number}: episode_ref is empty")
        if kind not in IMPORTABLE_CHECKPOINTS:
            problems.append(
                f"row {number}: checkpoint must be assessment or closure, not {row['checkpoint']!r}"
            )
        if recorded_on is None:
            problems.append(
                f"row {number}: recorded_on must be a date like 2020-04-01, not {row['recorded_on']!r}"
            )
        if row["locality"].casefold() not in localities:
            problems.append(f"row {number}: there is no locality called {row['locality']!r}")
        if level_key not in levels:
            problems.append(
                f"row {number}: level must be one of {'|'.join(levels)}, not {row['level']!r}"
            )
        if not row["issue"]:
            problems.append(f"row {number}: issue is empty")
        if (
            ref in episode_locality
            and episode_locality[ref][1].casefold() != row["locality"].casefold()
        ):
            problems.append(
                f"row {number}: episode {ref} is in {episode_locality[ref][1]} on row {episode_locality[ref][0]}"
            )
        episode_locality.setdefault(ref, (number, row["locality"]))
        if (
            recorded_on
            and (ref, kind) in checkpoint_dates
            and checkpoint_dates[(ref, kind)][1] != recorded_on
        ):
            first = checkpoint_dates[(ref, kind)]
            problems.append(
                f"row {number}: episode {ref}'s {kind} is dated {first[1]} on row {first[0]}"
            )
        if recorded_on:
            checkpoint_dates.setdefault((ref, kind), (number, recorded_on))
        issue_key = (ref, kind, row["issue"].casefold())
        if issue_key in issue_levels and issue_levels[issue_key][1] != level_key:
            problems.append(
                f"row {number}: {row['issue']!r} has level {issue_levels[issue_key][1]} on row {issue_levels[issue_key][0]}"
            )
        issue_levels.setdefault(issue_key, (number, level_key))
    if problems:
        raise ImportRejected(problems)

    report = ImportReport()
    version = framework.current_version
    rows_by_episode: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for number, row in rows:
        rows_by_episode[row["episode_ref"]].append((number, row))
    existing = {
        e.reference: e
        for e in Episode.objects.filter(reference__in=rows_by_episode).select_related(
            "family__locality"
        )
    }
    for ref, episode_rows in rows_by_episode.items():
        locality = localities[episode_rows[0][1]["locality"].casefold()]
        episode = existing.get(ref)
        if episode is None:
            family = FamilyRecord.objects.create(reference=f"IMP-{ref}", locality=locality)
            started_on = min(
                checkpoint_dates[(ref, r["checkpoint"].lower())][1] for _, r in episode_rows
            )
            episode = Episode.objects.create(
                family=family, reference=ref, framework_version=version, started_on=started_on
            )
            report.episodes_created += 1
        elif episode.family.locality_id != locality.pk:
            problems.append(
                f"row {episode_rows[0][0]}: episode {ref} is already recorded in {episode.family.locality}"
            )
            continue
        checkpoints = {
            c.kind: c for c in episode.checkpoints.filter(kind__in=IMPORTABLE_CHECKPOINTS)
        }
        for number, row in episode_rows:
            kind = row["checkpoint"].lower()
            recorded_on = checkpoint_dates[(ref, kind)][1]
            checkpoint = checkpoints.get(kind)
            if checkpoint is None:
                checkpoint = Checkpoint.objects.create(
                    episode=episode,
                    kind=kind,
                    recorded_on=recorded_on,
                    status=CheckpointStatus.SUBMITTED,
                )
                checkpoints[kind] = checkpoint
                report.checkpoints_created += 1
            elif checkpoint.recorded_on != recorded_on:
                problems.append(
                    f"row {number}: episode {ref}'s {kind} is already recorded on {checkpoint.recorded_on}"
                )
                continue
            issue, created = TriagedIssue.objects.get_or_create(
                checkpoint=checkpoint,
                issue=row["issue"],
                defaults={"level": levels[row["level"].lower()]},
            )
            if created:
                report.issues_created += 1
            elif issue.level.key != row["level"].lower():
                problems.append(
                    f"row {number}: {row['issue']!r} is already recorded as {issue.level.key}"
                )
            else:
                report.rows_already_present += 1
    if problems:
        raise ImportRejected(problems)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason=f"Triage import {source}".strip(),
        detail={
            "episodes": report.episodes_created,
            "checkpoints": report.checkpoints_created,
            "issues": report.issues_created,
        },
    )
    return report


@transaction.atomic
def outcome_import(handle: IO[str], *, source: str = "") -> ImportReport:
    """Import how episodes ended: episode_ref,closed_on,outcome."""
    rows = _rows(handle, OUTCOME_COLUMNS)
    problems: list[str] = []
    episodes = {
        e.reference: e
        for e in Episode.objects.filter(reference__in=[r["episode_ref"] for _, r in rows])
    }
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, row in rows:
        ref, outcome, closed_on = (
            row["episode_ref"],
            row["outcome"].lower(),
            _date(row["closed_on"]),
        )
        if ref not in episodes:
            problems.append(f"row {number}: there is no episode {ref!r}; import its triage first")
        if outcome not in CaseOutcome.values:
            problems.append(
                f"row {number}: outcome must be one of {'|'.join(CaseOutcome.values)}, not {row['outcome']!r}"
            )
        if closed_on is None:
            problems.append(
                f"row {number}: closed_on must be a date like 2020-09-30, not {row['closed_on']!r}"
            )
        if ref in seen:
            problems.append(f"row {number}: episode {ref} is already on row {seen[ref]}")
        seen.setdefault(ref, number)
    if problems:
        raise ImportRejected(problems)
    for number, row in rows:
        episode = episodes[row["episode_ref"]]
        outcome, closed_on = row["outcome"].lower(), _date(row["closed_on"])
        if episode.status == "closed":
            if episode.outcome == outcome and episode.closed_on == closed_on:
                report.rows_already_present += 1
                continue
            problems.append(
                f"row {number}: episode {episode.reference} is already closed as {episode.outcome} on {episode.closed_on}"
            )
            continue
        episode_close(
            episode=episode,
            outcome=outcome,
            closed_on=closed_on,
            by=None,
            reason=f"Imported {source}".strip(),
        )
        report.episodes_closed += 1
    if problems:
        raise ImportRejected(problems)
    return report
