"""What every page of a group's application shares: finding the application (their groups' only),
showing a refusal kindly, the order of the question pages and how far each has got, and what each
status means in plain words."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_denied
from core.permissions import signed_in_or_not_found
from core.refusals import refusal_page
from core.workflow import TransitionRefused
from grants.enums import ApplicationStatus
from grants.forms_definition import questions_for
from grants.models import Application
from grants.permissions import applications_for_applicant
from grants.services.applications import Problem, problems_before_submission

S = ApplicationStatus

NOT_A_DRAFT = "This application has been sent, so it can’t be changed now."


#: What an applicant's page shows with the application: fetched with it.
PAGE_RELATED = ("fund", "fund__locality", "organisation", "round")


def application_for(
    request: HttpRequest, pk: int, *, related: tuple[str, ...] = PAGE_RELATED
) -> Application:
    """The application, if it is one of the signed-in person's groups'; otherwise a 404 (and a
    line in the audit trail), the same whether it exists or not."""
    applications = applications_for_applicant(request.user).filter(pk=pk)
    if related:  # select_related() with nothing named would fetch every relation
        applications = applications.select_related(*related)
    application = applications.first()
    if application is None:
        audit_denied(
            actor=request.user,
            obj=Application.objects.filter(pk=pk).first(),
            detail={"page": request.resolver_match.view_name if request.resolver_match else ""},
        )
        raise Http404("No such application")
    return application


def refused(
    request: HttpRequest, refusal: TransitionRefused, application: Application | None = None
) -> HttpResponse:
    """A change that can't happen now, said plainly, with the refusal's own status."""
    back_url = reverse("grants:application-status", args=[application.pk]) if application else ""
    return refusal_page(request, refusal.message, refusal.status, back_url)


ApplicationView = Callable[..., HttpResponse]


def applicant_page(
    view: ApplicationView | None = None, *, related: tuple[str, ...] = PAGE_RELATED
) -> Any:
    """Signed in, their own group's application, and any refusal shown as a page, never a 500.
    `related`: what to fetch with the application; less for an action whose service fetches it
    again, locked, with what it needs."""
    if view is None:
        return lambda view: applicant_page(view, related=related)

    @signed_in_or_not_found
    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        application = application_for(request, pk, related=related)
        try:
            return view(request, application, **kwargs)
        except TransitionRefused as refusal:
            return refused(request, refusal, application)

    return wrapped


def draft_only(application: Application) -> None:
    if application.status != S.DRAFT:
        raise TransitionRefused(NOT_A_DRAFT)


# The question pages and how far each has got -----------------------------------------------------


@dataclass(frozen=True)
class Section:
    slug: str
    title: str

    @property
    def url_name(self) -> str:
        return f"grants:application-{self.slug}"


ABOUT = Section("about", "About your project")
QUESTIONS = Section("questions", "Your answers to the fund’s questions")
BUDGET = Section("budget", "Your budget")
CONTACT = Section("contact", "Contact details")
SECTIONS = {section.slug: section for section in (ABOUT, QUESTIONS, BUDGET, CONTACT)}
ABOUT_FIELDS = {"title", "summary", "amount"}


def sections_for(application: Application) -> list[Section]:
    """The pages this application has: no questions page if the fund asks none, and no budget for
    the short form."""
    sections = [ABOUT]
    if questions_for(application):
        sections.append(QUESTIONS)
    if not application.is_short_form:
        sections.append(BUDGET)
    sections.append(CONTACT)
    return sections


def section_url(application: Application, section: Section, *, change: bool = False) -> str:
    url = reverse(section.url_name, args=[application.pk])
    return f"{url}?change=1" if change else url


def next_url(application: Application, section: Section, *, change: bool = False) -> str:
    """The page after this one; the check page when changing an answer or at the end."""
    check = reverse("grants:application-check", args=[application.pk])
    if change:
        return check
    order = list(SECTIONS.values())
    present = sections_for(application)
    later = [page for page in order[order.index(section) + 1 :] if page in present]
    return section_url(application, later[0]) if later else check


def previous_url(application: Application, section: Section, *, change: bool = False) -> str:
    if change:
        return reverse("grants:application-check", args=[application.pk])
    sections = sections_for(application)
    index = sections.index(section) if section in sections else 0
    if index == 0:
        return reverse("grants:application-status", args=[application.pk])
    return section_url(application, sections[index - 1])


def section_for_problem(application: Application, problem: Problem) -> Section:
    if problem.field in ABOUT_FIELDS:
        return ABOUT
    if problem.field == "budget":
        return BUDGET
    return QUESTIONS


def problem_href(application: Application, problem: Problem) -> str:
    """Where the error summary's link for a problem goes: the page, and the field on it."""
    section = section_for_problem(application, problem)
    url = section_url(application, section, change=True)
    if section is ABOUT:
        return f"{url}#id_{problem.field}"
    if section is BUDGET:
        return f"{url}#id_description_0"
    question = next((q for q in questions_for(application) if q.key == problem.field), None)
    ticked = question is not None and question.kind in {"yes_no", "choice"}
    return f"{url}#id_{problem.field}{'_1' if ticked else ''}"


def section_states(application: Application) -> list[dict[str, Any]]:
    """Each page with whether it is done, for the task list."""
    problems = problems_before_submission(application)
    with_problems = {section_for_problem(application, problem) for problem in problems}
    questions = questions_for(application)
    started = {
        ABOUT: bool(application.title or application.summary or application.amount_requested_pence),
        QUESTIONS: any(q.is_answered(application.answers.get(q.key)) for q in questions),
        BUDGET: application.budget_lines.exists(),
        CONTACT: bool(application.contact_name or application.contact_phone),
    }
    states = []
    for section in sections_for(application):
        if section is CONTACT:
            done = bool(application.contact_name)
        else:
            done = started[section] and section not in with_problems
        states.append(
            {
                "section": section,
                "url": section_url(application, section),
                "done": done,
                "started": started[section],
            }
        )
    return states


def last_saved_text(application: Application) -> str:
    return f"Last saved at {timezone.localtime(application.last_saved_at):%H:%M}"


# What each status means ---------------------------------------------------------------------------

STATUS_WORDS: dict[str, tuple[str, str]] = {
    S.DRAFT: (
        "You have not sent this application yet",
        "Answer the questions, check your answers and send it.",
    ),
    S.SUBMITTED: (
        "We have your application",
        "We will check it soon. You don’t need to do anything now.",
    ),
    S.SCREENING: (
        "We are checking your application",
        "We make sure it has everything the decision needs. We will contact you if we need "
        "anything else.",
    ),
    S.INFO_REQUESTED: (
        "We need some more information",
        "Answer our question below so we can carry on.",
    ),
    S.BOARD_REVIEW: (
        "The local advisory board will decide",
        "Local people on the advisory board are considering your application. You don’t need to "
        "do anything now.",
    ),
    S.OFFICER_DECISION: (
        "A grants officer is deciding",
        "You don’t need to do anything now.",
    ),
    S.AWARDED: (
        "Your application was successful",
        "We will send you a grant agreement to read and accept before we pay you.",
    ),
    S.DECLINED: (
        "Your application was not funded this time",
        "Read why below. You are welcome to apply again, to this fund or another.",
    ),
    S.AGREEMENT_ISSUED: (
        "Your grant agreement is ready",
        "Read and accept your grant agreement so we can pay you.",
    ),
    S.AGREEMENT_ACCEPTED: (
        "You have accepted your grant agreement",
        "We will pay the grant into your group’s bank account.",
    ),
    S.PAID: (
        "We have paid your grant",
        "Use the money as your application said. We will ask you later how it went.",
    ),
    S.MONITORING: (
        "Tell us how it went",
        "Your end-of-grant report is due. It only takes a few minutes.",
    ),
    S.CLOSED: (
        "This grant is complete",
        "Thank you for telling us how it went. You don’t need to do anything else.",
    ),
    S.WITHDRAWN: (
        "This application was withdrawn",
        "You can apply again at any time while a fund is open.",
    ),
}


def status_words(application: Application) -> tuple[str, str]:
    return STATUS_WORDS.get(application.status, (application.get_status_display(), ""))


TAG_COLOURS = {
    S.DRAFT: "govuk-tag--grey",
    S.INFO_REQUESTED: "govuk-tag--orange",
    S.AWARDED: "govuk-tag--green",
    S.AGREEMENT_ISSUED: "govuk-tag--orange",
    S.AGREEMENT_ACCEPTED: "govuk-tag--green",
    S.PAID: "govuk-tag--green",
    S.MONITORING: "govuk-tag--orange",
    S.DECLINED: "govuk-tag--red",
    S.WITHDRAWN: "govuk-tag--grey",
    S.CLOSED: "govuk-tag--grey",
}
