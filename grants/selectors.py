"""Read-only questions about funds that public pages ask: one or two queries each, whatever the size
of the fund."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

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
