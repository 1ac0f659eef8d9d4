"""Every read behind an outcomes report, list or export. Aggregates run in the database: a report
over hundreds of thousands of checkpoints is a handful of queries, not a Python loop."""

import datetime
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import connections
from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery

from outcomes.arithmetic import describe_change, percentage, relative_change, round_half_away
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus, EpisodeStatus, MeasureType
from outcomes.models import (
    Checkpoint,
    DomainScore,
    Episode,
    Framework,
    FrameworkVersion,
    Narrative,
    NarrativeCode,
    TriagedIssue,
    TriageLevel,
    TriageScale,
)

SMALL_NUMBER = 5
STAGES = (CheckpointKind.ASSESSMENT, CheckpointKind.CLOSURE)


@dataclass(frozen=True)
class ReportScope:
    """What a report covers. Every filter is optional except the period."""

    date_from: datetime.date
    date_to: datetime.date
    locality_id: int | None = None
    provider_id: int | None = None
    team: str = ""
    framework_id: int | None = None
    fund_id: int | None = None
    episodes: QuerySet[Episode] | None = field(default=None, compare=False)

    def episode_filter(self, prefix: str = "") -> Q:
        condition = Q()
        if self.locality_id:
            condition &= Q(**{f"{prefix}family__locality_id": self.locality_id})
        if self.provider_id:
            condition &= Q(**{f"{prefix}provider_id": self.provider_id})
        if self.team:
            condition &= Q(**{f"{prefix}team": self.team})
        if self.framework_id:
            condition &= Q(**{f"{prefix}framework_version__framework_id": self.framework_id})
        if self.fund_id:
            # Help given by groups this fund has awarded a grant to.
            from grants.enums import AWARDED_STATES
            from grants.models import Application

            funded = Application.objects.filter(fund_id=self.fund_id, status__in=AWARDED_STATES)
            condition &= Q(**{f"{prefix}provider_id__in": funded.values("organisation_id")})
        if self.episodes is not None:
            condition &= Q(**{f"{prefix}pk__in": self.episodes.values("pk")})
        return condition


def scope_checkpoints(scope: ReportScope) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(
        scope.episode_filter("episode__"),
        kind__in=STAGES,
        status=CheckpointStatus.SUBMITTED,
        recorded_on__gte=scope.date_from,
        recorded_on__lte=scope.date_to,
    )


def scope_closed_episodes(scope: ReportScope) -> QuerySet[Episode]:
    return Episode.objects.filter(
        scope.episode_filter(),
        status=EpisodeStatus.CLOSED,
        closed_on__gte=scope.date_from,
        closed_on__lte=scope.date_to,
    )


@dataclass(frozen=True)
class StageFigure:
    count: int
    total: int

    @property
    def exact_percent(self) -> Fraction | None:
        return percentage(self.count, self.total)

    @property
    def percent(self) -> int | None:
        exact = self.exact_percent
        return None if exact is None else round_half_away(exact)


@dataclass(frozen=True)
class LevelRow:
    level: TriageLevel
    assessment: StageFigure
    closure: StageFigure

    @property
    def change_percent(self) -> int | None:
        return relative_change(self.assessment.exact_percent, self.closure.exact_percent)

    @property
    def change_text(self) -> str:
        return describe_change(self.change_percent)


@dataclass(frozen=True)
class TriageTable:
    scale: TriageScale
    assessment_total: int
    closure_total: int
    rows: list[LevelRow]


def triage_table(scope: ReportScope, scale: TriageScale) -> TriageTable:
    """For each level: how many triages at assessment and at closure had at least one issue at it.

    One query. Each checkpoint's levels are marked by grouping the issues table by checkpoint,
    which the database reads in index order with no sort, and that is joined to the checkpoints in
    scope (built with the ORM) and counted by stage. Over 200,000 checkpoints this takes half the
    CPU time of grouping the joined rows, and a fifth of a correlated EXISTS per level; the ORM
    cannot join a grouped subquery, so that one join is written out here.
    """
    levels = list(scale.levels.all())
    versions = FrameworkVersion.objects.filter(framework__triage_scale=scale).values("pk")
    # Every triage at a stage counts in its total, including a closure with no issues left.
    in_scope = (
        scope_checkpoints(scope)
        .filter(episode__framework_version__in=versions)
        .order_by()
        .annotate(in_scope_id=F("pk"), in_scope_kind=F("kind"))
        .values_list("in_scope_id", "in_scope_kind")
    )
    in_scope_sql, in_scope_params = in_scope.query.sql_with_params()
    database = connections[in_scope.db]
    name = database.ops.quote_name
    issues, checkpoint_id, level_id = (
        name(TriagedIssue._meta.db_table),
        name(TriagedIssue._meta.get_field("checkpoint").column),
        name(TriagedIssue._meta.get_field("level").column),
    )
    pk, kind = name("in_scope_id"), name("in_scope_kind")
    marks = "".join(
        f", MAX(CASE WHEN {level_id} = %s THEN 1 ELSE 0 END) AS has_{n}" for n in range(len(levels))
    )
    tallies = "".join(
        f", SUM(CASE WHEN marks.has_{n} = 1 THEN 1 ELSE 0 END)" for n in range(len(levels))
    )
    sql = (
        f"SELECT checkpoints.{kind}, COUNT(*){tallies} "  # noqa: S608 - names and placeholders only
        f"FROM ({in_scope_sql}) checkpoints "
        f"LEFT JOIN (SELECT {checkpoint_id}{marks} FROM {issues} GROUP BY {checkpoint_id}) marks "
        f"ON marks.{checkpoint_id} = checkpoints.{pk} "
        f"GROUP BY checkpoints.{kind}"
    )
    with database.cursor() as cursor:
        # Placeholders in order: the scope's, then the levels' (in the joined subquery).
        cursor.execute(sql, [*in_scope_params, *(level.pk for level in levels)])
        found = {row[0]: (row[1], [count or 0 for count in row[2:]]) for row in cursor.fetchall()}

    def figure(stage: str, index: int) -> StageFigure:
        total, counts = found.get(stage, (0, [0] * len(levels)))
        return StageFigure(counts[index], total)

    rows = [
        LevelRow(
            level=level,
            assessment=figure(CheckpointKind.ASSESSMENT, index),
            closure=figure(CheckpointKind.CLOSURE, index),
        )
        for index, level in enumerate(levels)
    ]
    return TriageTable(
        scale,
        found.get(CheckpointKind.ASSESSMENT, (0,))[0],
        found.get(CheckpointKind.CLOSURE, (0,))[0],
        rows,
    )


@dataclass(frozen=True)
class OutcomeSplit:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, outcome: str) -> int | None:
        exact = percentage(self.counts.get(outcome, 0), self.total)
        return None if exact is None else round_half_away(exact)

    def rows(self) -> list[tuple[str, str, int, int | None]]:
        return [
            (
                outcome.value,
                outcome.label,
                self.counts.get(outcome.value, 0),
                self.percent(outcome.value),
            )
            for outcome in CaseOutcome
        ]


def case_outcome_split(scope: ReportScope) -> OutcomeSplit:
    found = dict(
        scope_closed_episodes(scope).order_by().values_list("outcome").annotate(n=Count("pk"))
    )
    return OutcomeSplit({outcome.value: found.get(outcome.value, 0) for outcome in CaseOutcome})


@dataclass(frozen=True)
class DistanceRow:
    domain_label: str
    closures: int
    paired: int
    mean_start: float | None
    mean_end: float | None

    @property
    def completeness(self) -> int | None:
        exact = percentage(self.paired, self.closures)
        return None if exact is None else round_half_away(exact)

    @property
    def mean_change(self) -> float | None:
        if self.mean_start is None or self.mean_end is None:
            return None
        return round(self.mean_end - self.mean_start, 1)


def distance_travelled(scope: ReportScope) -> list[DistanceRow]:
    """For each 1–10 domain: closures scored, how many pair with a score at assessment, and the means."""
    start_score = DomainScore.objects.filter(
        checkpoint__episode=OuterRef("checkpoint__episode"),
        checkpoint__kind=CheckpointKind.ASSESSMENT,
        domain=OuterRef("domain"),
        score__isnull=False,
    ).values("score")[:1]
    rows = (
        DomainScore.objects.filter(
            checkpoint__in=scope_checkpoints(scope).filter(kind=CheckpointKind.CLOSURE),
            domain__measure=MeasureType.SCALE,
            score__isnull=False,
        )
        .annotate(start=Subquery(start_score))
        .order_by()
        .values("domain__version__framework__name", "domain__label", "domain__order")
        .annotate(
            closures=Count("pk"),
            paired=Count("pk", filter=Q(start__isnull=False)),
            mean_start=Avg("start"),
            mean_end=Avg("score", filter=Q(start__isnull=False)),
        )
        .order_by("domain__version__framework__name", "domain__order")
    )
    return [
        DistanceRow(
            domain_label=row["domain__label"],
            closures=row["closures"],
            paired=row["paired"],
            mean_start=float(row["mean_start"]) if row["mean_start"] is not None else None,
            mean_end=float(row["mean_end"]) if row["mean_end"] is not None else None,
        )
        for row in rows
    ]


def common_codes(scope: ReportScope, *, limit: int = 10) -> list[tuple[str, int]]:
    """The codes most often given to the period's narratives."""
    return list(
        NarrativeCode.objects.filter(narrative__checkpoint__in=scope_checkpoints(scope))
        .order_by()
        .values_list("code__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "code__label")[:limit]
    )


def uncoded_narratives(families) -> QuerySet[Narrative]:
    return (
        Narrative.objects.filter(checkpoint__episode__family__in=families, codings__isnull=True)
        .select_related("checkpoint__episode__family")
        .order_by("created_at", "pk")
    )


def default_triage_scale(scope: ReportScope) -> TriageScale | None:
    if scope.framework_id:
        framework = (
            Framework.objects.filter(pk=scope.framework_id).select_related("triage_scale").first()
        )
        if framework and framework.triage_scale:
            return framework.triage_scale
    return (
        TriageScale.objects.filter(frameworks__isnull=False).order_by("pk").first()
        or TriageScale.objects.first()
    )


def suppress(count: int, *, publish: bool) -> int | str:
    """Counts of 1 to 4 are shown as '<5' in anything published outside the owning organisation."""
    if publish and 0 < count < SMALL_NUMBER:
        return f"<{SMALL_NUMBER}"
    return count
