"""Funds and applications for tests. `application_in(status)` walks an application through the real
workflow to any state, so tests start where their story starts."""

import datetime

from django.utils import timezone

import factory

from core.enums import BoardRole, Role
from grants.enums import ApplicationStatus, DecisionRoute, SourceKind
from grants.models import Application, BoardMeeting, Fund, FundingSource, Round, ScoringCriterion

from .core import (
    AdvisoryBoardFactory,
    BoardMembershipFactory,
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)

S = ApplicationStatus

APPLICATION_FORM = [
    {
        "type": "long_text",
        "id": "q-difference",
        "value": {
            "label": "What difference will it make, and to whom?",
            "hint": "",
            "required": True,
            "in_short_form": True,
            "word_limit": 150,
        },
    },
    {
        "type": "yes_no",
        "id": "q-safeguarding",
        "value": {
            "label": "Will you work with children or adults at risk?",
            "hint": "",
            "required": True,
            "in_short_form": False,
        },
    },
]

ELIGIBILITY = [
    {
        "type": "question",
        "id": "e-local",
        "value": {
            "question": "Is your group based in the area, or does it work there?",
            "hint": "",
            "eligible_answer": "yes",
            "reason_if_not": "This fund is for groups working in the area.",
        },
    },
    {
        "type": "question",
        "id": "e-profit",
        "value": {
            "question": "Does anyone in your group make a personal profit from the activity?",
            "hint": "",
            "eligible_answer": "no",
            "reason_if_not": "The fund only supports not-for-profit activity.",
        },
    },
]


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource

    name = "Brackenford Borough Council"
    kind = SourceKind.COUNCIL
    org_id = "GB-LAE-BRK"


class FundFactory(factory.django.DjangoModelFactory):
    """A rolling board fund, open now, with £10,000 in it unless `budget` says otherwise."""

    class Meta:
        model = Fund
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community Matters Fund {n}")
    slug = factory.Sequence(lambda n: f"community-matters-{n}")
    locality = factory.SubFactory(LocalityFactory)
    financial_year = 2026
    summary = "Small grants for groups that bring people together."
    route = DecisionRoute.BOARD
    is_rolling = True
    minimum_award_pence = 10000
    maximum_award_pence = 500000
    short_form_below_pence = 100000
    delegated_limit_pence = 0
    required_documents = factory.LazyFunction(list)
    eligibility = factory.LazyFunction(lambda: list(ELIGIBILITY))
    application_form = factory.LazyFunction(lambda: list(APPLICATION_FORM))

    class Params:
        rapid = factory.Trait(route=DecisionRoute.RAPID, delegated_limit_pence=200000)

    @factory.post_generation
    def budget(obj, create, extracted, **kwargs):
        if not create:
            return
        from grants import ledger

        amount = 1_000_000 if extracted is None else extracted
        if amount:
            ledger.allocate(fund=obj, source=FundingSourceFactory(), amount_pence=amount, by=None)

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            ScoringCriterion.objects.create(
                fund=obj, name="Local need", maximum_score=5, sort_order=0
            )
            ScoringCriterion.objects.create(
                fund=obj, name="Value for money", maximum_score=5, sort_order=1
            )


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    fund = factory.SubFactory(FundFactory, is_rolling=False)
    name = "Spring round"
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    decision_expected_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=40)
    )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft, ready to submit: £500 (the short form) unless told otherwise."""

    class Meta:
        model = Application

    fund = factory.SubFactory(FundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(
        lambda o: OrganisationMembershipFactory(organisation=o.organisation).user
    )
    title = factory.Sequence(lambda n: f"Coffee and chat morning {n}")
    summary = "A weekly drop-in for parents, with a play corner."
    amount_requested_pence = 50000
    is_short_form = factory.LazyAttribute(
        lambda o: o.amount_requested_pence < o.fund.short_form_below_pence
    )
    form_snapshot = factory.LazyAttribute(lambda o: list(o.fund.application_form.raw_data))
    answers = factory.LazyAttribute(
        lambda o: {"q-difference": "Parents meet others.", "q-safeguarding": "no"}
    )
    contact_name = "Sam Example"


def grants_officer(*, locality=None, **kwargs):
    from core.models import LocalityStaff

    officer = UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,), staff=True, **kwargs)
    if locality is not None:
        LocalityStaff.objects.create(locality=locality, user=officer)
    return officer


def board_for(locality, *, members: int = 3, quorum: int = 3):
    """A board with a chair and `members - 1` others. Returns (board, chair, [others])."""
    board = AdvisoryBoardFactory(locality=locality, quorum=quorum)
    chair = BoardMembershipFactory(board=board, role=BoardRole.CHAIR).user
    others = [
        BoardMembershipFactory(board=board, role=BoardRole.COMMUNITY).user
        for _ in range(members - 1)
    ]
    return board, chair, others


def meeting_for(board, **kwargs) -> BoardMeeting:
    defaults = {
        "held_at": timezone.now() + datetime.timedelta(days=7),
        "location": "Ashby Vale Library",
    }
    return BoardMeeting.objects.create(board=board, **{**defaults, **kwargs})


def application_in(
    status: str,
    *,
    application: Application | None = None,
    officer=None,
    grant_period: tuple[datetime.date, datetime.date] | None = None,
    **kwargs,
) -> Application:
    """An application brought to `status` through the real services, as the people would.
    `grant_period` is the one its agreement sets (a year from today unless given)."""
    from grants.services import applications as applying
    from grants.services import decisions

    application = application or ApplicationFactory(**kwargs)
    applicant = application.created_by
    if status == S.DRAFT:
        return application
    application = applying.application_submit(application=application, by=applicant)
    if status == S.SUBMITTED:
        return application
    if status == S.WITHDRAWN:
        return applying.application_withdraw(application=application, by=applicant)
    officer = officer or grants_officer(locality=application.fund.locality)
    decisions.screening_start(application=application, by=officer)
    if status == S.SCREENING:
        return application
    if status == S.INFO_REQUESTED:
        return decisions.information_request(
            application=application, by=officer, question="Please send your latest bank statement."
        )
    decisions.send_for_decision(application=application, by=officer)
    if status in (S.BOARD_REVIEW, S.OFFICER_DECISION):
        return application
    if application.status == S.BOARD_REVIEW:
        raise ValueError("Use a rapid fund (FundFactory(rapid=True)) to reach post-decision states")
    if status == S.DECLINED:
        return decisions.decline_make(
            application=application, by=officer, reason="outside_priorities", feedback="Thank you."
        )
    decisions.award_make(application=application, by=officer)
    if status == S.AWARDED:
        return application
    from grants.services import awards

    awards.agreement_issue(application=application, by=officer, period=grant_period)
    if status == S.AGREEMENT_ISSUED:
        return application
    awards.agreement_accept(
        application=application, by=applicant, name="Sam Example", role="Treasurer", ip="127.0.0.1"
    )
    if status == S.AGREEMENT_ACCEPTED:
        return application
    for tranche in application.tranches.all():
        awards.payment_record(tranche=tranche, by=officer, reference="BACS-TEST")
    application.refresh_from_db()
    if status == S.PAID:
        return application
    awards.monitoring_start(application=application, by=officer)
    if status == S.MONITORING:
        return application
    report = application.monitoring_reports.get()
    awards.report_submit(
        report=report, by=applicant, answers={"what_happened": "It went well."}, spend=[]
    )
    awards.report_accept(report=report, by=officer)
    application.refresh_from_db()
    if status == S.CLOSED:
        return application
    raise ValueError(f"Don’t know how to reach {status}")
