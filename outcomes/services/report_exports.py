"""The outcomes report for people: what a person may report on, the figures as they are shown
(page, CSV and committee PDF alike), and the committee PDF made by a worker.

Who sees what is decided here, once:
- a person needs `outcomes.view_outcomes_reports` (outcomes.permissions.can_view_reports);
- their reach is the families they may see (outcomes.permissions.families_for: their organisation's,
  the ones named to them) and, for council staff, every family in their localities
  (core.permissions.localities_for); borough-wide staff are not restricted. Reports are counts, never
  records, so a family in an officer's locality is counted whatever their consent scope, as
  outcomes_report and the published tables count them;
- numbers from 1 to 4 are shown as "<5" in everything that can leave the owning organisation: the CSV,
  the committee PDF, and any report not limited to one provider the person belongs to.
"""

import csv
import datetime
import logging
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cms.site_facts import default_council_name
from core.audit import audit_record
from core.models import Locality, Organisation, User
from core.models.audit import AuditAction
from core.outbox import enqueue_after_commit
from core.permissions import localities_for, organisations_for, sees_all_localities
from core.spreadsheets import csv_safe
from outcomes.enums import CaseOutcome
from outcomes.models import Episode, ExportStatus, Framework, ReportExport, TriageLevel
from outcomes.permissions import can_view_reports, families_for
from outcomes.reports import outcomes_report
from outcomes.selectors import (
    SMALL_NUMBER,
    ReportScope,
    common_codes,
    default_triage_scale,
    scope_closed_episodes,
    suppress,
)

if TYPE_CHECKING:
    from grants.models import Fund

logger = logging.getLogger(__name__)

# --- Reach: what a person may report on -------------------------------------------------------


@dataclass(frozen=True)
class ReportReach:
    user: User
    everywhere: bool

    @property
    def own_organisations(self) -> QuerySet[Organisation]:
        return organisations_for(self.user)

    def episodes(self) -> QuerySet[Episode] | None:
        """The episodes the person's reports may count; None means no restriction."""
        if self.everywhere:
            return None
        return Episode.objects.filter(
            Q(family__in=families_for(self.user).values("pk"))
            | Q(family__locality__in=localities_for(self.user).values("pk"))
        )

    def localities(self) -> QuerySet[Locality]:
        if self.everywhere:
            return Locality.objects.all()
        return Locality.objects.filter(
            Q(pk__in=localities_for(self.user).values("pk"))
            | Q(pk__in=families_for(self.user).values("locality"))
        )

    def providers(self) -> QuerySet[Organisation]:
        """Organisations that provided help within reach, and the person's own."""
        episodes = self.episodes()
        providing = Episode.objects.all() if episodes is None else episodes
        return Organisation.objects.filter(
            Q(pk__in=providing.values("provider")) | Q(pk__in=self.own_organisations.values("pk"))
        )

    def teams(self) -> list[str]:
        episodes = self.episodes()
        providing = Episode.objects.all() if episodes is None else episodes
        return list(
            providing.exclude(team="").order_by("team").values_list("team", flat=True).distinct()
        )

    def default_provider(self) -> Organisation | None:
        """A provider's member starts with their own organisation's report, unsuppressed."""
        if self.everywhere or localities_for(self.user).exists():
            return None
        own = list(self.own_organisations[:2])
        return own[0] if len(own) == 1 else None

    @property
    def is_empty(self) -> bool:
        """Someone with the permission but no organisation, families or localities to report on."""
        return not (
            self.everywhere
            or localities_for(self.user).exists()
            or self.own_organisations.exists()
            or families_for(self.user).exists()
        )

    def is_member_of(self, provider: Organisation | None) -> bool:
        return provider is not None and self.own_organisations.filter(pk=provider.pk).exists()


def report_reach(user: User) -> ReportReach:
    return ReportReach(user=user, everywhere=sees_all_localities(user))


@dataclass(frozen=True)
class ReportFilters:
    date_from: datetime.date
    date_to: datetime.date
    locality: Locality | None = None
    provider: Organisation | None = None
    team: str = ""
    framework: Framework | None = None
    fund: "Fund | None" = None

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("Period", f"{long_date(self.date_from)} to {long_date(self.date_to)}"),
            ("Locality", self.locality.name if self.locality else "All localities"),
            ("Provider", self.provider.name if self.provider else "All providers"),
            ("Team", self.team or "All teams"),
            ("Framework", self.framework.name if self.framework else "All frameworks"),
            ("Fund", self.fund.name if self.fund else "All funds"),
        ]


def long_date(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def report_scope(reach: ReportReach, filters: ReportFilters) -> ReportScope:
    return ReportScope(
        date_from=filters.date_from,
        date_to=filters.date_to,
        locality_id=filters.locality.pk if filters.locality else None,
        provider_id=filters.provider.pk if filters.provider else None,
        team=filters.team,
        framework_id=filters.framework.pk if filters.framework else None,
        fund_id=filters.fund.pk if filters.fund else None,
        episodes=reach.episodes(),
    )


def report_is_published(reach: ReportReach, filters: ReportFilters) -> bool:
    """Only a report on one provider, read by that provider's own people, shows numbers under 5."""
    return not reach.is_member_of(filters.provider)


# --- Figures, as every output shows them --------------------------------------------------------

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
NEUTRAL_COLOUR = "#505a5f"
BAR_COLOUR = "#1d70b8"
NOT_SHOWN = "not shown"


def _cell(value: int | str | None) -> str:
    return "" if value is None else str(value)


def _percent(percent: int | None, count: int | str) -> str:
    if isinstance(count, str):
        return NOT_SHOWN
    return "no data" if percent is None else f"{percent}%"


@dataclass(frozen=True)
class TriageLine:
    key: str
    label: str
    colour: str
    assessment_count: int | str
    assessment_percent: int | None
    closure_count: int | str
    closure_percent: int | None
    change: str

    @property
    def name(self) -> str:
        return f"{self.key.replace('-', ' ').capitalize()} ({self.label})"

    @property
    def assessment_percent_text(self) -> str:
        return _percent(self.assessment_percent, self.assessment_count)

    @property
    def closure_percent_text(self) -> str:
        return _percent(self.closure_percent, self.closure_count)


@dataclass(frozen=True)
class OutcomeLine:
    key: str
    label: str
    count: int | str
    percent: int | None

    @property
    def percent_text(self) -> str:
        return _percent(self.percent, self.count)


@dataclass(frozen=True)
class DistanceLine:
    domain: str
    closures: int | str
    paired: int | str
    completeness: int | None
    mean_start: float | None
    mean_end: float | None
    mean_change: float | None

    @property
    def completeness_text(self) -> str:
        return _percent(self.completeness, self.paired)

    @property
    def shown(self) -> bool:
        return isinstance(self.paired, int) and self.paired > 0

    def _mean(self, value: float | None) -> str:
        if not self.shown or value is None:
            return NOT_SHOWN if isinstance(self.paired, str) else "no data"
        return f"{value:.1f}"

    @property
    def mean_start_text(self) -> str:
        return self._mean(self.mean_start)

    @property
    def mean_end_text(self) -> str:
        return self._mean(self.mean_end)

    @property
    def mean_change_text(self) -> str:
        if not self.shown or self.mean_change is None:
            return self._mean(None)
        return f"{self.mean_change:+.1f}"


@dataclass(frozen=True)
class ChartText:
    x: float
    y: float
    text: str
    bold: bool = False


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart laid out for an inline SVG: every bar has a visible text label."""

    slug: str
    title: str
    description: str
    width: int
    height: int
    texts: tuple[ChartText, ...]
    bars: tuple[ChartBar, ...]

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.description}"


@dataclass(frozen=True)
class BarSpec:
    label: str
    value: float | None
    maximum: float
    value_text: str
    colour: str


CHART_WIDTH = 640
BAR_LEFT = 118
BAR_SPACE = 400
BAR_HEIGHT = 18
HEADING_CHARACTERS = 70


def bar_chart(
    slug: str, title: str, description: str, groups: Iterable[tuple[str, list[BarSpec]]]
) -> Chart:
    texts: list[ChartText] = []
    bars: list[ChartBar] = []
    y = 0.0
    for heading, specs in groups:
        for line in textwrap.wrap(heading, HEADING_CHARACTERS) or [""]:
            y += 19
            texts.append(ChartText(0, y, line, bold=True))
        y += 7
        for spec in specs:
            width = 0.0
            if spec.value is not None and spec.maximum:
                width = round(max(0.0, min(spec.value / spec.maximum, 1.0)) * BAR_SPACE, 1)
            if width:
                bars.append(ChartBar(BAR_LEFT, y, width, BAR_HEIGHT, spec.colour))
            texts.append(ChartText(0, y + 14, spec.label))
            texts.append(ChartText(BAR_LEFT + width + 6, y + 14, spec.value_text))
            y += BAR_HEIGHT + 6
        y += 8
    return Chart(
        slug=slug,
        title=title,
        description=description,
        width=CHART_WIDTH,
        height=max(int(y) + 4, 40),
        texts=tuple(texts),
        bars=tuple(bars),
    )


@dataclass(frozen=True)
class ReportFigures:
    filters: ReportFilters
    published: bool
    assessment_total: int | str
    closure_total: int | str
    triage: list[TriageLine]
    outcomes: list[OutcomeLine]
    outcomes_total: int | str
    distance: list[DistanceLine]
    codes: list[tuple[str, int | str]]
    made_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def has_records(self) -> bool:
        return bool(self.assessment_total or self.closure_total or self.outcomes_total)

    @property
    def charts(self) -> dict[str, Chart]:
        return {
            "triage": self.triage_chart(),
            "outcomes": self.outcomes_chart(),
            "distance": self.distance_chart(),
        }

    def triage_chart(self) -> Chart:
        def bar(stage: str, count: int | str, percent: int | None, colour: str) -> BarSpec:
            shown = None if isinstance(count, str) else percent
            text = (
                "fewer than 5"
                if isinstance(count, str)
                else f"{_percent(percent, count)} ({count})"
            )
            return BarSpec(stage, shown, 100, text, colour)

        groups = [
            (
                f"{line.name}: {line.change}",
                [
                    bar("Assessment", line.assessment_count, line.assessment_percent, line.colour),
                    bar("Closure", line.closure_count, line.closure_percent, line.colour),
                ],
            )
            for line in self.triage
        ]
        description = " ".join(
            f"{line.name}: {line.assessment_percent_text} of triages at assessment and "
            f"{line.closure_percent_text} at closure, {line.change}."
            for line in self.triage
        )
        return bar_chart(
            "triage-chart",
            "Share of triages with an issue at each level, at assessment and at closure",
            description or "No triages in this period.",
            groups,
        )

    def outcomes_chart(self) -> Chart:
        groups = [
            (
                line.label,
                [
                    BarSpec(
                        "",
                        None if isinstance(line.count, str) else line.percent,
                        100,
                        "fewer than 5"
                        if isinstance(line.count, str)
                        else f"{line.percent_text} ({line.count})",
                        BAR_COLOUR,
                    )
                ],
            )
            for line in self.outcomes
        ]
        description = " ".join(
            f"{line.label}: {line.percent_text} ({line.count})." for line in self.outcomes
        )
        return bar_chart(
            "outcomes-chart",
            f"How {self.outcomes_total} pieces of help closed in this period ended",
            description,
            groups,
        )

    def distance_chart(self) -> Chart:
        groups = [
            (
                f"{line.domain} ({line.completeness_text} complete)",
                [
                    BarSpec(
                        "Assessment",
                        line.mean_start if line.shown else None,
                        10,
                        line.mean_start_text,
                        NEUTRAL_COLOUR,
                    ),
                    BarSpec(
                        "Closure",
                        line.mean_end if line.shown else None,
                        10,
                        line.mean_end_text,
                        BAR_COLOUR,
                    ),
                ],
            )
            for line in self.distance
        ]
        description = " ".join(
            f"{line.domain}: mean score {line.mean_start_text} at assessment and "
            f"{line.mean_end_text} at closure, from {line.paired} of {line.closures} closures."
            for line in self.distance
        )
        return bar_chart(
            "distance-chart",
            "Mean scores out of 10 at assessment and at closure, for closures with both",
            description or "No scores in this period.",
            groups,
        )


def _level_colours(scope: ReportScope) -> dict[str, str]:
    scale = default_triage_scale(scope)
    if scale is None:
        return {}
    levels: Iterable[TriageLevel] = scale.levels.all()
    return {
        level.key: level.colour if HEX_COLOUR.match(level.colour) else NEUTRAL_COLOUR
        for level in levels
    }


def report_figures(
    scope: ReportScope, filters: ReportFilters, *, publish: bool, code_limit: int = 10
) -> ReportFigures:
    """The figures every output shows, from outcomes_report (which suppresses small numbers)."""
    report: dict[str, Any] = outcomes_report(scope, publish=publish)
    colours = _level_colours(scope)
    triage = [
        TriageLine(
            key=key,
            label=row["label"],
            colour=colours.get(key, NEUTRAL_COLOUR),
            assessment_count=row["assessment"]["count"],
            assessment_percent=row["assessment"]["percent"],
            closure_count=row["closure"]["count"],
            closure_percent=row["closure"]["percent"],
            change=(
                f"not shown (fewer than {SMALL_NUMBER})"
                if row["change"] == "suppressed"
                else row["change"]
            ),
        )
        for key, row in report["levels"].items()
    ]
    outcomes = [
        OutcomeLine(
            key=key,
            label=CaseOutcome(key).label,
            count=count,
            percent=report["case_outcome_percent"][key],
        )
        for key, count in report["case_outcomes"].items()
    ]
    distance = [
        DistanceLine(
            domain=row["domain"],
            closures=row["closures"],
            paired=row["paired"],
            completeness=row["completeness_percent"],
            mean_start=row["mean_start"],
            mean_end=row["mean_end"],
            mean_change=row["mean_change"],
        )
        for row in report["distance_travelled"]
    ]
    codes = [
        (label, suppress(count, publish=publish))
        for label, count in common_codes(scope, limit=code_limit)
    ]
    return ReportFigures(
        filters=filters,
        published=publish,
        assessment_total=report["triages"]["assessment"],
        closure_total=report["triages"]["closure"],
        triage=triage,
        outcomes=outcomes,
        outcomes_total=suppress(scope_closed_episodes(scope).count(), publish=publish),
        distance=distance,
        codes=codes,
    )


# --- CSV -----------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_csv_rows(figures: ReportFigures) -> Iterator[list[Any]]:
    yield ["Family-reported outcomes"]
    for label, value in figures.filters.describe():
        yield [label, value]
    if figures.published:
        yield [f"Numbers from 1 to {SMALL_NUMBER - 1} are shown as <{SMALL_NUMBER}"]
    yield []
    yield [
        "Triage level",
        "At assessment",
        "% at assessment",
        "At closure",
        "% at closure",
        "Difference",
    ]
    for line in figures.triage:
        yield [
            line.name,
            line.assessment_count,
            _cell(line.assessment_percent),
            line.closure_count,
            _cell(line.closure_percent),
            line.change,
        ]
    yield ["All triages", figures.assessment_total, "", figures.closure_total, "", ""]
    yield []
    yield ["Case outcome", "Cases", "%"]
    for outcome in figures.outcomes:
        yield [outcome.label, outcome.count, _cell(outcome.percent)]
    yield ["All closed cases", figures.outcomes_total, ""]
    yield []
    yield [
        "Domain",
        "Closures scored",
        "With a score at assessment",
        "Completeness %",
        "Mean at assessment",
        "Mean at closure",
        "Change",
    ]
    for line in figures.distance:
        yield [
            line.domain,
            line.closures,
            line.paired,
            _cell(line.completeness),
            line.mean_start_text,
            line.mean_end_text,
            line.mean_change_text,
        ]
    yield []
    yield ["Narrative code", "Narratives"]
    for label, count in figures.codes:
        yield [label, count]


def report_csv_chunks(figures: ReportFigures, *, rows_per_chunk: int = 200) -> Iterator[str]:
    """The CSV in chunks of rows, formula-safe, for a streaming response."""
    writer = csv.writer(_Echo())
    chunk: list[str] = []
    for row in report_csv_rows(figures):
        chunk.append(writer.writerow([csv_safe(cell) for cell in row]))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


# --- The committee PDF ---------------------------------------------------------------------------


def _filter_values(source: "ReportFilters | ReportExport") -> dict[str, Any]:
    """Each filter's value, by name: a ReportExport keeps every filter in a field of that name."""
    return {name.name: getattr(source, name.name) for name in fields(ReportFilters)}


def export_filters(export: ReportExport) -> ReportFilters:
    """The filters a committee report was asked for with, as the on-screen report takes them."""
    return ReportFilters(**_filter_values(export))


def report_export_request(*, by: User, filters: ReportFilters) -> ReportExport:
    """Record the request and queue the worker once it is saved."""
    from outcomes.tasks import make_report_export

    if not can_view_reports(by):
        raise PermissionError("This person cannot see outcomes reports.")
    with transaction.atomic():
        export = ReportExport.objects.create(requested_by=by, **_filter_values(filters))
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=export,
            to_state=ExportStatus.QUEUED,
            reason="Committee report requested",
        )
        enqueue_after_commit(make_report_export, export.pk)
    return export


def _finish(export: ReportExport, status: str, **fields: Any) -> ReportExport:
    """Move a queued export on, once: a second delivery of the same task changes nothing."""
    moved = ReportExport.objects.filter(pk=export.pk, status=ExportStatus.QUEUED).update(
        status=status, finished_at=timezone.now(), **fields
    )
    if moved:
        audit_record(
            actor=None,
            action=AuditAction.TRANSITION,
            obj=export,
            from_state=ExportStatus.QUEUED,
            to_state=status,
            reason=fields.get("failure", ""),
        )
    elif "file" in fields:
        export.file.storage.delete(fields["file"])  # another delivery finished first
    export.refresh_from_db()
    return export


def report_export_make(*, export_id: int) -> ReportExport | None:
    """Render the committee PDF for a queued export, store it privately and mark it ready."""
    export = (
        ReportExport.objects.select_related("requested_by", "locality", "provider", "framework")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status != ExportStatus.QUEUED:
        return export
    ReportExport.objects.filter(pk=export.pk).update(started_at=timezone.now())
    person = export.requested_by
    if person is None or not person.is_active or not can_view_reports(person):
        return _finish(
            export, ExportStatus.FAILED, failure="The person who asked can no longer see reports."
        )
    filters = export_filters(export)
    try:
        from core.pdf import render_pdf  # imported here: only workers pay for WeasyPrint

        figures = report_figures(report_scope(report_reach(person), filters), filters, publish=True)
        pdf = render_pdf(
            "outcomes/pdf/committee_report.html",
            {"figures": figures, "charts": figures.charts, "council_name": default_council_name()},
            title=(
                f"Family-reported outcomes, {long_date(export.date_from)} "
                f"to {long_date(export.date_to)}"
            ),
        )
    except Exception as error:
        logger.exception("Committee report %s could not be made", export.pk)
        return _finish(
            export,
            ExportStatus.FAILED,
            failure=f"The document could not be made ({type(error).__name__}).",
        )
    storage = export.file.storage
    name = storage.save(export.file.field.generate_filename(export, "report.pdf"), ContentFile(pdf))
    return _finish(export, ExportStatus.READY, file=name, size=len(pdf), failure="")


def can_download_export(user: User, export: ReportExport) -> bool:
    """Only the person who asked, while they may still see reports: the figures follow their reach."""
    return user.is_authenticated and export.requested_by_id == user.pk and can_view_reports(user)


def exports_for(user: User) -> QuerySet[ReportExport]:
    return ReportExport.objects.filter(requested_by=user).select_related(
        "locality", "provider", "framework"
    )
