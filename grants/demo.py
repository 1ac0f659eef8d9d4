"""The demo borough's funds: one per locality decided by its board, a borough-wide rapid-response
fund, and applications in every state, reached through the same services people use."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_PASSWORD
from core.enums import OrganisationRole
from core.models import Locality, Organisation, OrganisationMembership, User
from grants import ledger
from grants.enums import ApplicationStatus, DecisionRoute, SourceKind, VoteChoice
from grants.models import Application, BoardMeeting, Fund, FundingSource, Round, ScoringCriterion
from grants.services import applications as applying
from grants.services import awards, board, decisions

S = ApplicationStatus

ELIGIBILITY = [
    {
        "type": "question",
        "id": "eligible-local",
        "value": {
            "question": "Does your group work with people who live in this area?",
            "hint": "Most of the people who take part should live, work or study here.",
            "eligible_answer": "yes",
            "reason_if_not": "This fund is for activities for people in this area. The borough-wide fund, or another locality’s fund, may suit you better.",
        },
    },
    {
        "type": "question",
        "id": "eligible-profit",
        "value": {
            "question": "Will anyone make a personal profit from the activity?",
            "hint": "Paying a sessional worker or a venue is fine.",
            "eligible_answer": "no",
            "reason_if_not": "The fund supports not-for-profit activity only. A local business support scheme may help instead.",
        },
    },
    {
        "type": "question",
        "id": "eligible-account",
        "value": {
            "question": "Does your group have a bank account in its own name, with two people to sign?",
            "hint": "If not, a larger local charity may hold the money for you: ask us.",
            "eligible_answer": "yes",
            "reason_if_not": "We pay grants into a group’s own account with two signatories. Talk to your locality officer: another group can often hold funds for you.",
        },
    },
]

APPLICATION_FORM = [
    {
        "type": "long_text",
        "id": "need",
        "value": {
            "label": "Why is this needed where you are?",
            "hint": "Tell us in your own words. A few sentences is fine.",
            "required": True,
            "in_short_form": True,
            "word_limit": 200,
        },
    },
    {
        "type": "long_text",
        "id": "difference",
        "value": {
            "label": "What difference will it make, and to whom?",
            "hint": "",
            "required": True,
            "in_short_form": True,
            "word_limit": 200,
        },
    },
    {
        "type": "number",
        "id": "people",
        "value": {
            "label": "About how many people will take part?",
            "hint": "",
            "required": True,
            "in_short_form": False,
        },
    },
    {
        "type": "yes_no",
        "id": "safeguarding",
        "value": {
            "label": "Will you work with children or adults at risk?",
            "hint": "If yes, we will ask to see your safeguarding policy.",
            "required": True,
            "in_short_form": False,
        },
    },
]

SEEN_IN_PERSON = "Constitution and bank statement seen at the group's committee meeting."

CRITERIA = [
    ("Local need", "The need is real and local, in the group’s own words."),
    ("Difference made", "Clear about who benefits and how."),
    ("Value for money", "The budget is sensible for what is planned."),
]

IDEAS = [
    (
        "Stay and play mornings",
        "A weekly stay and play for parents and toddlers in the church hall.",
    ),
    ("Dads’ walking group", "A Saturday walk and a hot drink for dads and their children."),
    ("Homework club", "Two evenings a week of homework help with volunteers from the college."),
    ("Community fridge", "A fridge and shelves so surplus food reaches families, not the bin."),
    ("Summer fun day", "A free fun day in the park with the family hub and local groups."),
    ("Young carers’ trips", "Three day trips for young carers and their families."),
    ("Cook and eat sessions", "Six sessions cooking cheap, healthy meals together."),
    ("Parent peer support", "A fortnightly peer-support group for parents of children with SEND."),
    ("Allotment for all", "Tools and seeds for a shared allotment plot for families."),
    ("Baby bank", "Cots, clothes and car seats passed on to families who need them."),
    ("Youth football", "Kit and pitch hire for a free Friday night football session."),
    ("Coffee and chat", "A welcoming coffee morning for isolated parents."),
    ("Family history day", "Older and younger residents record the estate’s history together."),
    ("Breakfast club", "A free breakfast before school at the community centre."),
    ("Craft and chat", "Monthly craft sessions for parents and children."),
    ("Bike repair café", "Volunteers fix bikes so children can ride to school."),
]


def _volunteer(organisation: Organisation, index: int) -> User:
    membership = organisation.memberships.select_related("user").first()
    if membership is not None:
        return membership.user
    user = User.objects.filter(email=f"group{index}@demo.seedbed.test").first()
    if user is None:
        user = User.objects.create_user(
            email=f"group{index}@demo.seedbed.test",
            password=DEMO_PASSWORD,
            full_name=f"Volunteer {index}",
        )
    OrganisationMembership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": OrganisationRole.OWNER}
    )
    return user


def _fund(
    *, locality: Locality | None, name: str, route: str, budget: list[tuple[FundingSource, int]]
) -> Fund:
    now = timezone.now()
    fund = Fund.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-").replace("’", ""),
        locality=locality,
        financial_year=2026,
        summary=(
            "Small grants for groups that bring families together."
            if route == DecisionRoute.BOARD
            else "Quick help, decided within five working days, when a local need can’t wait."
        ),
        who_can_apply="Voluntary and community groups, including small groups with no formal structure, that work with families in the area.",
        route=route,
        is_rolling=route == DecisionRoute.RAPID,
        minimum_award_pence=10000,
        maximum_award_pence=500000 if route == DecisionRoute.BOARD else 150000,
        short_form_below_pence=100000,
        delegated_limit_pence=150000 if route == DecisionRoute.RAPID else 0,
        decision_target_working_days=5,
        eligibility=ELIGIBILITY,
        application_form=APPLICATION_FORM,
        end_of_grant_form=[
            {
                "type": "long_text",
                "id": "outcomes",
                "value": {
                    "label": "What happened, and what changed for people?",
                    "required": True,
                    "word_limit": 300,
                },
            },
            {
                "type": "long_text",
                "id": "learning",
                "value": {
                    "label": "What would you do differently?",
                    "required": False,
                    "word_limit": 200,
                },
            },
        ],
        conditions="Acknowledge the fund in your publicity. Tell us at once if your plans change.",
    )
    for position, (criterion, guidance) in enumerate(CRITERIA):
        ScoringCriterion.objects.create(
            fund=fund, name=criterion, guidance=guidance, maximum_score=5, sort_order=position
        )
    if route == DecisionRoute.BOARD:
        Round.objects.create(
            fund=fund,
            name="Autumn 2026",
            opens_at=now - datetime.timedelta(days=30),
            closes_at=now + datetime.timedelta(days=21),
            decision_expected_on=timezone.localdate() + datetime.timedelta(days=45),
            sort_order=0,
        )
        Round.objects.create(
            fund=fund,
            name="Spring 2027",
            opens_at=now + datetime.timedelta(days=90),
            closes_at=now + datetime.timedelta(days=130),
            decision_expected_on=timezone.localdate() + datetime.timedelta(days=160),
            sort_order=1,
        )
    for source, amount in budget:
        ledger.allocate(
            fund=fund, source=source, amount_pence=amount, by=None, memo="2026/27 budget"
        )
    return fund


def _application(
    fund: Fund, organisation: Organisation, index: int, amount: int
) -> tuple[Application, User]:
    volunteer = _volunteer(organisation, index)
    title, summary = IDEAS[index % len(IDEAS)]
    application = applying.application_start(fund=fund, organisation=organisation, by=volunteer)
    budget = [("Venue hire", amount // 2), ("Materials and refreshments", amount - amount // 2)]
    applying.draft_save(
        application=application,
        by=volunteer,
        fields={"title": title, "summary": summary, "amount_requested_pence": amount},
        answers={
            "need": "Families here tell us they feel on their own, especially in winter.",
            "difference": "Parents meet each other and find out about the family hub.",
            "people": 30,
            "safeguarding": "yes",
        },
        budget=budget,
    )
    return application, volunteer


def _walk(application: Application, volunteer: User, officer: User, to: str) -> None:
    """Take an application along the workflow to `to`, as the group and the officer would."""
    steps: list[tuple[str, Callable[[], object]]] = [
        (S.SUBMITTED, lambda: applying.application_submit(application=application, by=volunteer)),
        (S.SCREENING, lambda: decisions.screening_start(application=application, by=officer)),
        (
            S.OFFICER_DECISION,
            lambda: decisions.send_for_decision(
                application=application, by=officer, checked_otherwise=SEEN_IN_PERSON
            ),
        ),
        (
            S.AWARDED,
            lambda: decisions.award_make(
                application=application, by=officer, reason="Meets a clear local need."
            ),
        ),
        (S.AGREEMENT_ISSUED, lambda: awards.agreement_issue(application=application, by=officer)),
        (
            S.AGREEMENT_ACCEPTED,
            lambda: awards.agreement_accept(
                application=application,
                by=volunteer,
                name=volunteer.full_name,
                role="Treasurer",
                ip="192.0.2.10",
            ),
        ),
        (
            S.PAID,
            lambda: [
                awards.payment_record(
                    tranche=tranche, by=officer, reference=f"BACS-{application.reference}"
                )
                for tranche in application.tranches.all()
            ],
        ),
        (S.MONITORING, lambda: awards.monitoring_start(application=application, by=officer)),
    ]
    for state, step in steps:
        step()
        application.refresh_from_db()
        if state == to or (to == S.BOARD_REVIEW and state == S.SCREENING):
            break
    if to == S.BOARD_REVIEW:
        decisions.send_for_decision(
            application=application, by=officer, checked_otherwise=SEEN_IN_PERSON
        )
    if to == S.CLOSED:
        report = application.monitoring_reports.get()
        awards.report_submit(
            report=report,
            by=volunteer,
            answers={
                "what_happened": "We ran twelve sessions in the community centre.",
                "who_came": "About 25 parents and 30 children.",
                "what_changed": "“I finally know people on my road,” one mum told us.",
            },
            spend=[],
        )
        awards.report_accept(report=report, by=officer)


@transaction.atomic
def seed_grants() -> None:
    if Fund.objects.exists():
        return
    officer = User.objects.get(email="officer@demo.seedbed.test")
    council = FundingSource.objects.create(
        name="Brackenford Borough Council", kind=SourceKind.COUNCIL, org_id="GB-LAE-BRK"
    )
    lottery = FundingSource.objects.create(
        name="Brackenford Community Lottery", kind=SourceKind.LOTTERY
    )
    trust = FundingSource.objects.create(
        name="Harrowgate Family Trust", kind=SourceKind.TRUST, org_id="GB-CHC-1100001"
    )
    localities = list(Locality.objects.order_by("name"))
    funds = {
        locality.pk: _fund(
            locality=locality,
            name=f"{locality.name} Community Matters Fund",
            route=DecisionRoute.BOARD,
            budget=[(council, 2_000_000), (lottery, 500_000)],
        )
        for locality in localities
    }
    rapid = _fund(
        locality=None,
        name="Rapid Response Fund",
        route=DecisionRoute.RAPID,
        budget=[(council, 1_000_000), (trust, 500_000)],
    )
    ashby = next(locality for locality in localities if locality.slug == "ashby-vale")
    organisations = list(Organisation.objects.order_by("pk"))
    applicant_group = Organisation.objects.filter(
        memberships__user__email="applicant@demo.seedbed.test"
    ).first()

    # The demo applicant's own group: one draft, one waiting for their answer, one awarded grant
    # to accept, so every applicant page has something to show.
    index = 0

    def make(
        fund: Fund, to: str, amount: int, organisation: Organisation | None = None
    ) -> Application:
        nonlocal index
        organisation = organisation or organisations[(index + 1) % len(organisations)]
        application, volunteer = _application(fund, organisation, index, amount)
        index += 1
        if to != S.DRAFT:
            if to in (S.INFO_REQUESTED, S.WITHDRAWN, S.DECLINED):
                _walk(
                    application,
                    volunteer,
                    officer,
                    S.SCREENING if to != S.WITHDRAWN else S.SUBMITTED,
                )
            else:
                _walk(application, volunteer, officer, to)
        if to == S.INFO_REQUESTED:
            decisions.information_request(
                application=application,
                by=officer,
                question="Could you send us a copy of your latest bank statement, please?",
            )
        elif to == S.WITHDRAWN:
            applying.application_withdraw(
                application=application, by=volunteer, reason="The venue is no longer available."
            )
        elif to == S.DECLINED:
            decisions.decline_make(
                application=application,
                by=officer,
                reason="duplicate_funding",
                feedback="The summer fun day is already funded by the family hub this year. We would welcome an application for something new.",
            )
        return application

    ashby_fund = funds[ashby.pk]
    make(ashby_fund, S.DRAFT, 45000, applicant_group)
    make(rapid, S.INFO_REQUESTED, 80000, applicant_group)
    make(rapid, S.AGREEMENT_ISSUED, 60000, applicant_group)
    for to, amount in [
        (S.SUBMITTED, 75000),
        (S.SCREENING, 150000),
        (S.DECLINED, 90000),
        (S.WITHDRAWN, 30000),
    ]:
        make(ashby_fund, to, amount)
    for to, amount in [
        (S.OFFICER_DECISION, 95000),
        (S.AWARDED, 120000),
        (S.AGREEMENT_ACCEPTED, 70000),
        (S.PAID, 50000),
        (S.MONITORING, 40000),
        (S.CLOSED, 65000),
    ]:
        make(rapid, to, amount)
    waiting = [make(ashby_fund, S.BOARD_REVIEW, amount) for amount in (85000, 240000, 60000)]
    for locality in localities[1:]:
        make(funds[locality.pk], S.SUBMITTED, 55000)

    # Ashby Vale's board meets: one member has declared a conflict on the first application.
    meeting = BoardMeeting.objects.create(
        board=ashby.board,
        round=waiting[0].round,
        held_at=timezone.now() + datetime.timedelta(days=3),
        location="Ashby Vale Library, community room",
    )
    board.meeting_open(meeting=meeting, by=officer)
    items = board.agenda_add(meeting=meeting, applications=waiting, by=officer)
    members = [membership.user for membership in ashby.board.memberships.order_by("pk")]
    chair, *others = members
    board.interest_declare(
        item=items[0],
        member=others[0],
        has_conflict=True,
        nature="I am the treasurer of the group applying.",
    )
    criteria = list(ashby_fund.criteria.all())
    for member in [chair, *others[1:]]:
        board.interest_declare(item=items[0], member=member, has_conflict=False)
        board.scores_record(item=items[0], member=member, scores={c.pk: 4 for c in criteria})
        board.vote_cast(item=items[0], member=member, choice=VoteChoice.APPROVE)

    from cms.services import fund_pages_sync

    fund_pages_sync()
