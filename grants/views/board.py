"""The advisory board's pages: what is waiting for a member, a meeting's agenda, one application
(declare, score, vote), the chair's decision, and the meeting pack and minutes as PDFs.

Every page belongs to one meeting. Someone who is neither a current member of that meeting's board
nor a grants officer for its locality gets the same 404 as for a meeting that does not exist, and
the attempt goes into the audit trail. The services decide what may happen; a refusal is shown with
the service's own words and status.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.site_facts import default_council_name
from core.audit import audit_denied, audit_record
from core.models import BoardMembership
from core.models.audit import AuditAction
from core.permissions import localities_for, signed_in_or_not_found
from core.refusals import refusal_page
from core.workflow import TransitionRefused
from grants import permissions as rules
from grants.enums import ApplicationStatus, ItemOutcome, MeetingStatus, VoteChoice
from grants.forms_board import DecisionForm, DeclarationForm, ScoreVoteForm
from grants.forms_definition import questions_from_snapshot
from grants.models import AgendaItem, Application, BoardMeeting, Declaration
from grants.services import board as board_service

CONFLICT_MESSAGE = "You declared an interest, so you are not taking part in this decision."


# --- Who may see what --------------------------------------------------------------------------


def _meeting_or_404(request: HttpRequest, pk: int) -> BoardMeeting:
    meeting = BoardMeeting.objects.filter(pk=pk).select_related("board__locality", "round").first()
    if meeting is None or not rules.may_see_meeting(meeting, request.user):
        audit_denied(
            actor=request.user, obj=meeting, detail=None if meeting else {"board_meeting_id": pk}
        )
        raise Http404("No such meeting")
    return meeting


def _item_or_404(request: HttpRequest, pk: int) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(pk=pk)
        .select_related(
            "meeting__board__locality", "application__fund", "application__organisation"
        )
        .first()
    )
    if item is None or not rules.may_see_meeting(item.meeting, request.user):
        audit_denied(actor=request.user, obj=item, detail=None if item else {"agenda_item_id": pk})
        raise Http404("No such agenda item")
    return item


def _refused(request: HttpRequest, message: str, status: int, back_url: str) -> HttpResponse:
    if status == 403:
        return render(request, "403.html", {"exception": message, "back_url": back_url}, status=403)
    return refusal_page(request, message, status, back_url)


# --- What a member has done on each item -------------------------------------------------------


@dataclass
class MemberState:
    """One member's part in one agenda item."""

    item: AgendaItem
    declaration: Declaration | None = None
    scored: int = 0
    criteria: int = 0
    vote: object = None

    @property
    def conflicted(self) -> bool:
        return bool(self.declaration and self.declaration.has_conflict)

    @property
    def taking_part(self) -> bool:
        return bool(self.declaration and not self.declaration.has_conflict)

    @property
    def decided(self) -> bool:
        return self.item.outcome != ItemOutcome.PENDING

    @property
    def needs_declaration(self) -> bool:
        return not self.decided and self.declaration is None

    @property
    def needs_scores(self) -> bool:
        return not self.decided and self.taking_part and self.scored < self.criteria

    @property
    def needs_vote(self) -> bool:
        return not self.decided and self.taking_part and self.vote is None

    @property
    def label(self) -> str:
        if self.decided:
            return f"Decided: {self.item.get_outcome_display().lower()}"
        if self.declaration is None:
            return "Declare your interests"
        if self.conflicted:
            return "You declared an interest"
        if self.needs_scores or self.needs_vote:
            return "Score and vote"
        return "Scored and voted"

    @property
    def colour(self) -> str:
        if self.decided:
            return "grey"
        if self.conflicted:
            return "purple"
        if self.needs_declaration or self.needs_scores or self.needs_vote:
            return "blue"
        return "green"


def member_states(items: list[AgendaItem], user) -> list[MemberState]:
    declarations = {
        declaration.item_id: declaration
        for declaration in Declaration.objects.filter(item__in=items, member=user)
    }
    states = []
    for item in items:
        criteria = len(item.application.fund.criteria.all())
        states.append(
            MemberState(
                item=item,
                declaration=declarations.get(item.pk),
                scored=item.scores.filter(member=user).count(),
                criteria=criteria,
                vote=item.votes.filter(member=user).first(),
            )
        )
    return states


def _agenda(meeting: BoardMeeting) -> list[AgendaItem]:
    return list(
        meeting.items.select_related("application__fund", "application__organisation")
        .prefetch_related("application__fund__criteria")
        .order_by("position", "pk")
    )


@dataclass
class MeetingToDo:
    meeting: BoardMeeting
    states: list[MemberState] = field(default_factory=list)
    is_member: bool = False
    ready_to_confirm: list[AgendaItem] = field(default_factory=list)
    as_chair: bool = True
    item_count: int = 0

    @property
    def waiting(self) -> list[MemberState]:
        return [
            state
            for state in self.states
            if state.needs_declaration or state.needs_scores or state.needs_vote
        ]


# --- Pages -------------------------------------------------------------------------------------


@login_required
@require_GET
def board_home(request: HttpRequest) -> HttpResponse:
    """What is waiting for the member: open meetings first, then planned ones."""
    user = request.user
    member_of = rules.meetings_for_member(user)
    in_reach = _meetings_in_reach(user, member_of)
    meetings = in_reach.filter(status__in=[MeetingStatus.OPEN, MeetingStatus.PLANNED])
    meetings = meetings.annotate(
        open_first=Case(
            When(status=MeetingStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "held_at")
    member_ids = set(member_of.values_list("pk", flat=True))
    todo = []
    for meeting in meetings:
        entry = MeetingToDo(meeting=meeting, is_member=meeting.pk in member_ids)
        items = _agenda(meeting)
        if entry.is_member and meeting.status == MeetingStatus.OPEN:
            entry.states = member_states(items, user)
        # The chair's items, or, where the chair declared an interest, the officer's as clerk.
        recorded_by_them = rules.decisions_recorded_by(meeting, user)
        if recorded_by_them:
            entry.as_chair = rules.is_chair_of(meeting, user)
            entry.ready_to_confirm = [
                item
                for item in items
                if item.pk in recorded_by_them
                and item.outcome == ItemOutcome.PENDING
                and board_service.quorum_for(item).met
            ]
        entry.item_count = len(items)
        todo.append(entry)
    past = in_reach.filter(status=MeetingStatus.CLOSED).order_by("-held_at")[:PAST_MEETINGS_SHOWN]
    return render(request, "grants/board/home.html", {"todo": todo, "past": past})


PAST_MEETINGS_SHOWN = 12


def _meetings_in_reach(user, member_of):
    """The meetings of the boards a person sits on and, for an officer, of their localities."""
    meetings = BoardMeeting.objects.select_related("board__locality")
    if rules.is_grants_officer(user):
        return (
            meetings.filter(pk__in=member_of)
            | meetings.filter(board__locality__in=localities_for(user))
        ).distinct()
    return meetings.filter(pk__in=member_of)


def _waiting_for_board(meeting: BoardMeeting):
    """Applications waiting for the board and not on any agenda yet: those to the locality's funds
    (rolling funds, and rapid-response applications an officer referred), less, for a meeting
    planned for a round, those of the funds' other rounds."""
    waiting = Application.objects.filter(
        status=ApplicationStatus.BOARD_REVIEW, fund__locality=meeting.board.locality_id
    )
    if meeting.round_id:
        waiting = waiting.filter(Q(round_id=meeting.round_id) | Q(round__isnull=True))
    return (
        waiting.exclude(agenda_items__meeting=meeting)
        .exclude(agenda_items__outcome=ItemOutcome.PENDING)
        .order_by("submitted_at", "pk")
    )


@signed_in_or_not_found
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    user = request.user
    items = _agenda(meeting)
    is_member = rules.is_board_member_for(meeting, user)
    is_officer = rules.is_officer_for_meeting(meeting, user)
    runs = rules.runs_meeting(meeting, user)
    states = member_states(items, user) if is_member else [MemberState(item=i) for i in items]
    return render(
        request,
        "grants/board/meeting.html",
        {
            "meeting": meeting,
            "states": states,
            "is_member": is_member,
            "records_decisions_on": rules.decisions_recorded_by(meeting, user),
            "runs_meeting": runs,
            "waiting_count": _waiting_for_board(meeting).count()
            if runs and meeting.status != MeetingStatus.CLOSED
            else 0,
            "undecided": sum(1 for item in items if item.outcome == ItemOutcome.PENDING),
            "minutes_available": meeting.status == MeetingStatus.CLOSED or is_officer,
        },
    )


def _meeting_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    back = reverse("grants:board-meeting", args=[meeting.pk])
    if not rules.runs_meeting(meeting, request.user):
        audit_denied(actor=request.user, obj=meeting, detail={"action": action.__name__})
        return _refused(
            request, "Only the chair or a grants officer for this area can do that.", 403, back
        )
    try:
        done = action(meeting, request.user)
    except TransitionRefused as refusal:
        return _refused(request, refusal.message, refusal.status, back)
    messages.success(request, done)
    return redirect(back)


def _open(meeting: BoardMeeting, user) -> str:
    board_service.meeting_open(meeting=meeting, by=user)
    return "The meeting is open. Members can declare their interests, score and vote."


def _add_waiting(meeting: BoardMeeting, user) -> str:
    waiting = list(_waiting_for_board(meeting))
    if not waiting:
        raise TransitionRefused("No applications are waiting for the board.")
    board_service.agenda_add(meeting=meeting, applications=waiting, by=user)
    count = len(waiting)
    return f"{count} application{'s' if count != 1 else ''} added to the agenda."


def _close(meeting: BoardMeeting, user) -> str:
    undecided = meeting.items.filter(outcome=ItemOutcome.PENDING).count()
    if meeting.status == MeetingStatus.OPEN and undecided:
        raise TransitionRefused(
            f"{undecided} application{'s are' if undecided != 1 else ' is'} still to be decided. "
            "Approve, decline or defer every application before closing the meeting."
        )
    board_service.meeting_close(meeting=meeting, by=user)
    return "The meeting is closed. The minutes are final."


@signed_in_or_not_found
@require_POST
def meeting_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, _open)


@signed_in_or_not_found
@require_POST
def meeting_agenda_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, _add_waiting)


@signed_in_or_not_found
@require_POST
def meeting_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, _close)


def application_context(application: Application) -> dict:
    """What the board reads about an application. Never the contact's name or phone number."""
    answers = application.answers or {}
    return {
        "application": application,
        "budget_lines": list(application.budget_lines.all()),
        "answers": [
            (question.label, question.display(answers.get(question.key)))
            for question in questions_from_snapshot(application.form_snapshot)
            if question.key in answers
        ],
    }


def _item_page(
    request: HttpRequest,
    item: AgendaItem,
    *,
    declaration_form: DeclarationForm | None = None,
    score_form: ScoreVoteForm | None = None,
) -> HttpResponse:
    user = request.user
    is_member = rules.is_board_member_for(item.meeting, user)
    state = member_states([item], user)[0] if is_member else MemberState(item=item)
    can_act = is_member and item.meeting.status == MeetingStatus.OPEN and not state.decided
    criteria = list(item.application.fund.criteria.all())
    if can_act and state.declaration is None and declaration_form is None:
        declaration_form = DeclarationForm()
    if can_act and state.taking_part and score_form is None:
        score_form = ScoreVoteForm(
            criteria=criteria,
            scores=dict(item.scores.filter(member=user).values_list("criterion_id", "score")),
            vote=state.vote,
        )
    sees_scores = not state.conflicted and board_service.can_see_scores(item, user)
    context = {
        # A member with a conflict reads nothing of the application but its title and group.
        **(
            {"application": item.application}
            if state.conflicted
            else application_context(item.application)
        ),
        "item": item,
        "meeting": item.meeting,
        "state": state,
        "is_member": is_member,
        "records_decision": item.meeting.status == MeetingStatus.OPEN
        and not state.decided
        and rules.board_decision_refusal(item, user) is None,
        "can_act": can_act,
        "declaration_form": declaration_form if can_act and state.declaration is None else None,
        "score_form": score_form if can_act and state.taking_part else None,
        "form": declaration_form or score_form,  # for the error summary
        "sees_scores": sees_scores,
        "conflict_message": CONFLICT_MESSAGE,
    }
    if sees_scores:
        context.update(
            averages=board_service.average_scores(item),
            tally=_tally_rows(item),
            majority=board_service.majority_view(item),
            votes=list(item.votes.select_related("member").order_by("voted_at")),
        )
    form = context["form"]
    return render(
        request,
        "grants/board/item.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


def _tally_rows(item: AgendaItem) -> list[tuple[str, int]]:
    counts = board_service.tally(item)
    return [(label, counts[value]) for value, label in VoteChoice.choices]


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    if request.method == "GET":
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=item)
        return _item_page(request, item)
    back = reverse("grants:board-item", args=[item.pk])
    user = request.user
    action = request.POST.get("action")
    if action == "declare":
        form = DeclarationForm(request.POST)
        if not form.is_valid():
            return _item_page(request, item, declaration_form=form)
        try:
            board_service.interest_declare(
                item=item,
                member=user,
                has_conflict=form.has_conflict,
                nature=form.cleaned_data["nature"],
            )
        except TransitionRefused as refusal:
            return _refused(request, refusal.message, refusal.status, back)
        messages.success(
            request,
            "Your declaration is recorded. " + CONFLICT_MESSAGE
            if form.has_conflict
            else "Your declaration is recorded. You can now score and vote.",
        )
        return redirect(back)
    if action == "score_vote":
        if rules.has_conflict(item, user):
            audit_denied(actor=user, obj=item, detail={"refused": "score_or_vote_with_conflict"})
            return _refused(request, CONFLICT_MESSAGE, 403, back)
        form = ScoreVoteForm(request.POST, criteria=list(item.application.fund.criteria.all()))
        if not form.is_valid():
            return _item_page(request, item, score_form=form)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                board_service.scores_record(
                    item=item, member=user, scores=form.scores, comment=data["comment"]
                )
                board_service.vote_cast(
                    item=item,
                    member=user,
                    choice=data["choice"],
                    amount_pence=data["amount_pence"],
                    conditions=data["conditions"],
                    comment=data["comment"],
                )
        except TransitionRefused as refusal:
            if not refusal.field:
                return _refused(request, refusal.message, refusal.status, back)
            # The member's scores and words stay on the page, with the message by the answer.
            form.add_error(refusal.field, refusal.message)
            return _item_page(request, item, score_form=form)
        messages.success(
            request, "Your scores and vote are saved. You can change them until the board decides."
        )
        return redirect(back)
    return _refused(request, "Choose what you want to do on this page.", 400, back)


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    user = request.user
    back = reverse("grants:board-item", args=[item.pk])
    refusal = rules.board_decision_refusal(item, user)
    if refusal:
        audit_denied(actor=user, obj=item, detail={"refused": "decide"})
        return _refused(request, refusal, 403, back)
    if item.meeting.status != MeetingStatus.OPEN:
        return _refused(
            request,
            "The meeting isn’t open, so no decision can be confirmed at it.",
            409,
            back,
        )
    if item.outcome != ItemOutcome.PENDING:
        return _refused(
            request,
            f"The board has already decided this application: "
            f"{item.get_outcome_display().lower()}.",
            409,
            back,
        )
    application = item.application
    form = DecisionForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board_service.decision_confirm(
                item=item,
                by=user,
                outcome=data["outcome"],
                reasons=data["reasons"],
                amount_pence=data["amount_pence"],
                conditions=data["conditions"],
                decline_reason=data["decline_reason"],
                feedback=data["feedback"],
            )
        except TransitionRefused as refusal:
            if refusal.status == 403:
                return _refused(request, refusal.message, 403, back)
            item.refresh_from_db()
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"“{application.title}”: {item.get_outcome_display().lower()}. "
                "The minutes record the board’s reasons.",
            )
            return redirect("grants:board-meeting", item.meeting_id)
    quorum = board_service.quorum_for(item)
    return render(
        request,
        "grants/board/decide.html",
        {
            "item": item,
            "meeting": item.meeting,
            "application": application,
            "form": form,
            "quorum": quorum,
            "averages": board_service.average_scores(item),
            "tally": _tally_rows(item),
            "majority": board_service.majority_view(item),
            "remaining_pence": application.fund.remaining_pence,
        },
        status=400 if form.errors else 200,
    )


# --- The meeting's papers ----------------------------------------------------------------------


def _pdf_response(request: HttpRequest, meeting: BoardMeeting, data: bytes, name: str):
    audit_record(
        actor=request.user, action=AuditAction.DOWNLOAD, obj=meeting, detail={"document": name}
    )
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{name}-{meeting.board.locality.slug}-{meeting.held_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@signed_in_or_not_found
@require_GET
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    from core.pdf import render_pdf  # WeasyPrint is slow to import: only when a pack is made

    meeting = _meeting_or_404(request, pk)
    agenda = _agenda(meeting)
    # A member's pack leaves out the applications they declared an interest in.
    conflicted = rules.conflicts_declared_by(meeting, request.user)
    data = render_pdf(
        "grants/pdf/meeting_pack.html",
        {
            "meeting": meeting,
            "items": agenda,
            "withheld": conflicted,
            "applications": [
                {"number": number, **application_context(item.application)}
                for number, item in enumerate(agenda, start=1)
                if item.pk not in conflicted
            ],
            "council_name": default_council_name(),
        },
        title=f"Meeting pack: {meeting.board}, {meeting.held_at:%-d %B %Y}",
    )
    return _pdf_response(request, meeting, data, "meeting-pack")


@dataclass
class MinutesItem:
    item: AgendaItem
    declarations: list[Declaration]
    averages: list
    tally: list
    majority: str
    quorum: board_service.Quorum


def _minutes_or_refusal(request: HttpRequest, pk: int) -> tuple[BoardMeeting, HttpResponse | None]:
    meeting = _meeting_or_404(request, pk)
    if meeting.status != MeetingStatus.CLOSED and not rules.is_officer_for_meeting(
        meeting, request.user
    ):
        return meeting, _refused(
            request,
            "The minutes are ready once the meeting has closed.",
            409,
            reverse("grants:board-meeting", args=[meeting.pk]),
        )
    return meeting, None


def _minutes(meeting: BoardMeeting) -> dict[str, Any]:
    """What the minutes say, for the PDF and the web page alike."""
    items = list(
        meeting.items.select_related("application__fund", "application__organisation")
        .prefetch_related(
            Prefetch(
                "declarations",
                queryset=Declaration.objects.select_related("member").order_by("declared_at"),
            )
        )
        .order_by("position", "pk")
    )
    roles = {
        membership.user_id: membership.get_role_display()
        for membership in BoardMembership.objects.filter(board=meeting.board)
    }
    present = {}
    for item in items:
        for declaration in item.declarations.all():
            present.setdefault(declaration.member_id, declaration.member)
    return {
        "meeting": meeting,
        "present": [
            (member.full_name or "A board member", roles.get(member.pk, "Former member"))
            for member in present.values()
        ],
        "minutes": [
            MinutesItem(
                item=item,
                declarations=list(item.declarations.all()),
                averages=board_service.average_scores(item),
                tally=_tally_rows(item),
                majority=board_service.majority_view(item),
                quorum=board_service.quorum_for(item),
            )
            for item in items
        ],
        "made_at": timezone.now(),
        "council_name": default_council_name(),
    }


@signed_in_or_not_found
@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    from core.pdf import render_pdf

    meeting, refusal = _minutes_or_refusal(request, pk)
    if refusal:
        return refusal
    data = render_pdf(
        "grants/pdf/minutes.html",
        _minutes(meeting),
        title=f"Minutes: {meeting.board}, {meeting.held_at:%-d %B %Y}",
    )
    return _pdf_response(request, meeting, data, "minutes")


@signed_in_or_not_found
@require_GET
def meeting_minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as a web page: the same words as the PDF, for anyone who can't use a PDF."""
    meeting, refusal = _minutes_or_refusal(request, pk)
    if refusal:
        return refusal
    return render(request, "grants/board/minutes.html", _minutes(meeting))
