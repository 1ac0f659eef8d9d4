"""Read-only questions about funds that public pages ask: one or two queries each, whatever the size
of the fund."""

import datetime
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from core.access import records_versions, remembered_with_records
from core.models import Locality
from grants.enums import AWARDED_STATES, ApplicationStatus
from grants.models import Application, Fund, Round


@dataclass(frozen=True)
class FundFigures:
    """What a fund has done so far, as published on its page."""

    received: int  # applications sent to the fund (drafts are not received)
    awarded: int  # grants made, whatever has happened to them since
    declined: int
    total_awarded_pence: int

    @property
    def decided(self) -> int:
        return self.awarded + self.declined

    @property
    def success_rate_percent(self) -> int | None:
        """Awards as a whole percentage of decisions, rounded half up; None before any decision."""
        if not self.decided:
            return None
        return (self.awarded * 200 + self.decided) // (self.decided * 2)


def fund_published_figures(fund: Fund) -> FundFigures:
    """One query."""
    awarded = Q(status__in=AWARDED_STATES)
    figures = Application.objects.filter(fund=fund).aggregate(
        received=Count("pk", filter=Q(submitted_at__isnull=False)),
        awarded=Count("pk", filter=awarded),
        declined=Count("pk", filter=Q(status=ApplicationStatus.DECLINED)),
        total=Sum("amount_awarded_pence", filter=awarded, default=0),
    )
    return FundFigures(
        received=figures["received"],
        awarded=figures["awarded"],
        declined=figures["declined"],
        total_awarded_pence=figures["total"],
    )


@dataclass(frozen=True)
class FundTimetable:
    """When a fund takes applications: the round open now, if any, and the next one to open."""

    is_rolling: bool
    open_round: Round | None
    next_round: Round | None

    @property
    def is_open(self) -> bool:
        return self.is_rolling or self.open_round is not None


def fund_timetable(fund: Fund, moment: datetime.datetime | None = None) -> FundTimetable:
    """One query (none for a fund open all year): the rounds that have not closed yet."""
    if fund.is_rolling:
        return FundTimetable(is_rolling=True, open_round=None, next_round=None)
    moment = moment or timezone.now()
    open_round = next_round = None
    for round_ in Round.objects.filter(fund=fund, closes_at__gt=moment).order_by("opens_at"):
        if round_.opens_at <= moment:
            open_round = open_round or round_
        elif next_round is None:
            next_round = round_
    return FundTimetable(is_rolling=False, open_round=open_round, next_round=next_round)


@dataclass(frozen=True)
class OpenFund:
    """What a list of open funds shows of each."""

    name: str
    slug: str
    summary: str
    area_name: str


@dataclass(frozen=True)
class _OpenFunds:
    versions: tuple[str, ...]
    until: datetime.datetime
    made_at: float
    funds: list[OpenFund]


_open_funds: _OpenFunds | None = None
OPEN_FUNDS_TTL = 5 * 60  # seconds, at most


def funds_open_now(user: Any = None) -> list[OpenFund]:
    """The funds open for applications now, in the usual order, as a list of them shows them.

    Every applicant's page lists them, and working them out (a query over funds and their rounds,
    and the funds as models) was a fifth of that page. They change only when a fund, a round or
    a locality changes, or when a round opens or closes, so they are kept in this process's
    memory under the versions of those three models' records (core.access.follow_records), until
    the next time a round opens or closes, and for OPEN_FUNDS_TTL at most."""
    global _open_funds
    versions = records_versions(user, (Fund, Round, Locality))  # read before working them out
    now = timezone.now()
    kept = _open_funds
    if (
        kept is not None
        and versions is not None
        and kept.versions == versions
        and now < kept.until
        and time.monotonic() - kept.made_at < OPEN_FUNDS_TTL
    ):
        return kept.funds
    funds, until = _funds_open_at(now)
    if versions is not None:
        _open_funds = _OpenFunds(versions, until, time.monotonic(), funds)
    return funds


def _funds_open_at(now: datetime.datetime) -> tuple[list[OpenFund], datetime.datetime]:
    """The open funds, and when that may next change: the next moment a round opens or closes."""
    # By key: Fund.objects.open_for_applications() joins the rounds and so needs DISTINCT, which
    # sorts every column, the funds' JSON forms included.
    open_now = Fund.objects.open_for_applications().values("pk")
    funds = [
        OpenFund(fund.name, fund.slug, fund.summary, fund.area_name)
        for fund in Fund.objects.filter(pk__in=open_now)
        .select_related("locality")
        .only("name", "slug", "summary", "locality__name")
    ]
    changes = Round.objects.filter(fund__is_published=True).aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=now)),
        closes=Min("closes_at", filter=Q(closes_at__gt=now)),
    )
    moments = [moment for moment in changes.values() if moment is not None]
    return funds, min(moments, default=now + datetime.timedelta(seconds=OPEN_FUNDS_TTL))


@dataclass(frozen=True)
class GroupApplication:
    """What a member of a group sees of one of its applications in their list of them."""

    pk: int
    title: str
    reference: str | None
    status: str
    fund_name: str
    organisation_name: str

    def get_status_display(self) -> str:
        """As Application's: the status in words."""
        return str(ApplicationStatus(self.status).label)


GROUP_APPLICATIONS_FACT = "grants:group-applications"
_GROUP_APPLICATION_VALUES = (
    "pk",
    "title",
    "reference",
    "status",
    "fund__name",
    "organisation__name",
)


def group_applications(user: Any) -> list[GroupApplication]:
    """Every application of the person's groups, the most recently saved first.

    Each applicant's dashboard lists them, and fetching them was the larger part of that page.
    They are remembered for each person (as plain values, so that a change to this class cannot
    misread what an earlier version stored) until an application, a group, a membership or a
    fund is saved or deleted anywhere (core.access.remembered_with_records)."""
    from core.models import Organisation, OrganisationMembership
    from grants.permissions import applications_for_applicant

    values = remembered_with_records(
        user,
        GROUP_APPLICATIONS_FACT,
        (Application, Fund, Organisation, OrganisationMembership),
        lambda: list(
            applications_for_applicant(user)
            .order_by("-last_saved_at", "-pk")
            .values_list(*_GROUP_APPLICATION_VALUES)
        ),
        also=_GROUP_APPLICATION_VALUES,
    )
    return [GroupApplication(*row) for row in values]
