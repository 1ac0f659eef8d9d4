"""A group's way into a fund and what they see afterwards: the eligibility checker (no sign-in,
nothing kept), starting an application, their applications, and each application's status page,
with answering an officer's question and withdrawing.

The question pages, checking and sending are in `grants.views.apply_pages`. Every view is thin:
the services decide, and their refusals are shown as pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import organisations_for
from core.workflow import TransitionRefused
from grants.enums import OPEN_BEFORE_DECISION, ApplicationStatus
from grants.forms_apply import (
    ChooseGroupForm,
    EligibilityForm,
    InformationForm,
    WithdrawForm,
    eligibility_questions,
)
from grants.models import Application, Fund
from grants.models.applications import WITHDRAWABLE
from grants.selectors import funds_open_now, group_applications
from grants.services.applications import (
    ApplicationIncomplete,
    application_start,
    application_withdraw,
    information_provide,
)

from .apply_common import (
    TAG_COLOURS,
    applicant_page,
    last_saved_text,
    refused,
    section_states,
    status_words,
)

S = ApplicationStatus


def _published_fund(slug: str) -> Fund:
    return get_object_or_404(Fund.objects.select_related("locality"), slug=slug, is_published=True)


def _self_help_url() -> str:
    from cms.models import SelfHelpIndexPage

    page = SelfHelpIndexPage.objects.live().public().first()
    return (page.url if page else None) or "/"


# Before applying ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def eligibility(request: HttpRequest, slug: str) -> HttpResponse:
    """Yes-or-no questions that say kindly, before anyone writes anything, whether a group can
    apply. The answers are not kept anywhere: not in the database, not in the session."""
    fund = _published_fund(slug)
    questions = eligibility_questions(fund)
    form = EligibilityForm(request.POST if request.method == "POST" else None, questions=questions)
    context = {"fund": fund, "form": form}
    if not questions or (request.method == "POST" and form.is_valid()):
        not_met = form.questions_not_met() if questions else []
        if not not_met:
            return render(request, "grants/apply/eligible.html", context)
        reasons = [question["reason_if_not"] for question in not_met if question["reason_if_not"]]
        other_funds = Fund.objects.open_for_applications().exclude(pk=fund.pk)
        return render(
            request,
            "grants/apply/not_eligible.html",
            {
                **context,
                "reasons": reasons,
                "other_funds": other_funds.select_related("locality"),
                "self_help_url": _self_help_url(),
            },
        )
    return render(
        request,
        "grants/apply/eligibility.html",
        context,
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start (or carry on) a draft for one of the person's groups, then go to its task list."""
    fund = _published_fund(slug)
    if not fund.is_open():
        return render(
            request,
            "grants/apply/fund_closed.html",
            {"fund": fund, "next_round": fund.next_round()},
            status=409,
        )
    organisations = organisations_for(request.user).order_by("name").distinct()
    if not organisations.exists():
        messages.info(
            request,
            f"Add your group first. We keep its details so you don’t type them again, then you "
            f"can apply to {fund.name}.",
        )
        return redirect("core:organisation_create")
    if organisations.count() == 1:
        chosen = organisations.get()
        form = None
    else:
        form = ChooseGroupForm(
            request.POST if request.method == "POST" else None, organisations=organisations
        )
        if not (request.method == "POST" and form.is_valid()):
            return render(
                request,
                "grants/apply/choose_group.html",
                {"fund": fund, "form": form},
                status=400 if form.errors else 200,
            )
        chosen = form.cleaned_data["organisation"]
    try:
        application = application_start(fund=fund, organisation=chosen, by=request.user)
    except TransitionRefused as refusal:
        return refused(request, refusal)
    return redirect("grants:application-status", application.pk)


# After starting -----------------------------------------------------------------------------------


@login_required
@require_GET
def applications(request: HttpRequest) -> HttpResponse:
    """Every application the person's groups have made, what stage each is at and what to do next."""
    rows = [
        {
            "application": application,
            "heading": heading,
            "next": what_next,
            "tag_class": TAG_COLOURS.get(application.status, ""),
        }
        for application in group_applications(request.user)
        for heading, what_next in [status_words(application)]
    ]
    return render(
        request,
        "grants/apply/applications.html",
        {"rows": rows, "open_funds": funds_open_now(request.user)},
    )


@require_GET
@applicant_page
def application_status(request: HttpRequest, application: Application) -> HttpResponse:
    """A draft's task list, or where a sent application has got to."""
    if application.status == S.DRAFT:
        return _task_list(request, application)
    return _status_page(request, application, InformationForm())


def _task_list(request: HttpRequest, application: Application) -> HttpResponse:
    return render(
        request,
        "grants/apply/task_list.html",
        {
            "application": application,
            "sections": section_states(application),
            "last_saved": last_saved_text(application),
        },
    )


def _status_page(
    request: HttpRequest, application: Application, form: InformationForm, *, status: int = 200
) -> HttpResponse:
    heading, what_next = status_words(application)
    return render(
        request,
        "grants/apply/status.html",
        {
            "application": application,
            "heading": heading,
            "what_next": what_next,
            "tag_class": TAG_COLOURS.get(application.status, ""),
            "form": form if application.status == S.INFO_REQUESTED else None,
            "can_withdraw": application.status in WITHDRAWABLE,
            "awaiting_decision": application.status in OPEN_BEFORE_DECISION,
            "shows_agreement": application.status
            in (S.AGREEMENT_ISSUED, S.AGREEMENT_ACCEPTED, S.PAID, S.MONITORING, S.CLOSED),
        },
        status=status,
    )


@require_POST
@applicant_page
def information(request: HttpRequest, application: Application) -> HttpResponse:
    """Answer the officer's question. The application goes back to where it was."""
    form = InformationForm(request.POST)
    if form.is_valid():
        try:
            information_provide(
                application=application, by=request.user, response=form.cleaned_data["response"]
            )
        except ApplicationIncomplete as incomplete:
            for problem in incomplete.problems:
                form.add_error("response", problem.message)
        else:
            messages.success(request, "Thank you. We have your answer.")
            return redirect("grants:application-status", application.pk)
    if application.status != S.INFO_REQUESTED:
        return refused(
            request,
            TransitionRefused("We are not waiting for an answer from you on this application."),
            application,
        )
    return _status_page(request, application, form, status=400)


@require_http_methods(["GET", "POST"])
@applicant_page
def withdraw(request: HttpRequest, application: Application) -> HttpResponse:
    """Are you sure? Then withdraw it."""
    if application.status not in WITHDRAWABLE:
        raise TransitionRefused(
            f"This application can’t be withdrawn now: it is "
            f"{application.get_status_display().lower()}."
        )
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        application_withdraw(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Your application has been withdrawn.")
        return redirect("grants:application-status", application.pk)
    return render(
        request,
        "grants/apply/withdraw.html",
        {
            "application": application,
            "form": form,
            "back_url": reverse("grants:application-status", args=[application.pk]),
        },
        status=400 if form.errors else 200,
    )
