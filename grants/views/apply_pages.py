"""A draft's question pages, checking the answers, sending, and the confirmation.

Every question page saves on "Save and continue" (only the answers that are valid, so a mistake in
one box never loses another) and, with JavaScript, every 30 seconds while someone types
(`autosave`). Required answers are checked once, when the group sends the application."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.messenger import message_send
from core.money import format_pence
from grants.enums import ApplicationStatus
from grants.forms_apply import AboutForm, BudgetForm, ContactForm, questions_form
from grants.forms_definition import questions_for
from grants.models import Application
from grants.services.applications import (
    ApplicationIncomplete,
    Problem,
    RoundClosed,
    application_submit,
    draft_save,
)

from .apply_common import (
    ABOUT,
    BUDGET,
    CONTACT,
    NOT_A_DRAFT,
    QUESTIONS,
    SECTIONS,
    Section,
    applicant_page,
    draft_only,
    last_saved_text,
    next_url,
    previous_url,
    problem_href,
    section_url,
)

S = ApplicationStatus


# One page's form, and saving it -------------------------------------------------------------------


def _lines_wanted(request: HttpRequest, application: Application, data) -> int:
    """How many budget lines to show: the number posted, or one more than were saved (at least
    three), or more when someone asked for another line."""
    source = data if data is not None else request.GET
    try:
        asked = int(source.get("lines", 0))
    except (TypeError, ValueError):
        asked = 0
    if data is not None:
        return max(asked, 1)
    return max(asked, application.budget_lines.count() + 1, 3)


def _form_for(section: Section, application: Application, request: HttpRequest, data=None):
    if section is ABOUT:
        return AboutForm(data, application=application)
    if section is QUESTIONS:
        return questions_form(
            data, questions=questions_for(application), initial=dict(application.answers)
        )
    if section is BUDGET:
        lines = _lines_wanted(request, application, data)
        return BudgetForm(data, application=application, lines=lines)
    return ContactForm(data, application=application, user=request.user)


def _save(section: Section, application: Application, form, user) -> bool:
    """Save what is valid on the page; True if everything on it was."""
    valid = form.is_valid()
    if section is QUESTIONS:
        draft_save(application=application, by=user, answers=form.answers())
    elif section is BUDGET:
        if valid:
            draft_save(application=application, by=user, budget=form.budget())
    else:
        draft_save(application=application, by=user, fields=form.draft_fields())
    return valid


def _budget_mismatch(application: Application, form: BudgetForm) -> str:
    total = sum(amount for _description, amount in form.budget())
    amount = application.amount_requested_pence
    if total and amount and total != amount:
        return (
            f"Your budget adds up to {format_pence(total)} but you asked for "
            f"{format_pence(amount)}: make them the same"
        )
    return ""


# The question pages -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@applicant_page
def draft_page(request: HttpRequest, application: Application, *, section: str) -> HttpResponse:
    page = SECTIONS[section]
    draft_only(application)
    if page is QUESTIONS and not questions_for(application):
        return redirect(next_url(application, page))
    if page is BUDGET and application.is_short_form:
        return redirect(next_url(application, page))
    change = request.GET.get("change") == "1"
    form = _form_for(page, application, request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        valid = _save(page, application, form, request.user)
        if valid and page is BUDGET and "add_line" in request.POST:
            url = section_url(application, page)
            return redirect(f"{url}?lines={form.lines + 1}{'&change=1' if change else ''}")
        if valid and page is BUDGET and (mismatch := _budget_mismatch(application, form)):
            form.add_error(None, mismatch)
            valid = False
        if valid:
            return redirect(next_url(application, page, change=change))
        status = 400
    template = "budget" if page is BUDGET else "question_page"
    return render(
        request,
        f"grants/apply/{template}.html",
        {
            "application": application,
            "section": page,
            "form": form,
            "back_url": previous_url(application, page, change=change),
            "last_saved": last_saved_text(application),
            "organisation": application.organisation if page is CONTACT else None,
        },
        status=status,
    )


@require_POST
@applicant_page
def autosave(request: HttpRequest, application: Application) -> JsonResponse:
    """Save a page's form in the background. Answers JSON for the page to announce."""
    if application.status != S.DRAFT:
        return JsonResponse({"saved": False, "message": NOT_A_DRAFT}, status=409)
    page = SECTIONS.get(request.GET.get("page", ""))
    if page is None:
        return JsonResponse({"saved": False, "message": "Unknown page."}, status=400)
    form = _form_for(page, application, request, request.POST)
    valid = _save(page, application, form, request.user)
    if page is BUDGET and not valid:
        return JsonResponse(
            {
                "saved": False,
                "message": "Some lines of your budget need checking. Press “Save and continue” "
                "to see which.",
            }
        )
    message = last_saved_text(application)
    if not valid:
        message += ". Some answers need checking: press “Save and continue” to see which."
    return JsonResponse(
        {
            "saved": True,
            "last_saved_at": application.last_saved_at.isoformat(),
            "message": message,
        }
    )


@require_POST
@applicant_page
def resume_link(request: HttpRequest, application: Application) -> HttpResponse:
    """Send the person a message with a link back to their draft."""
    draft_only(application)
    link = reverse("grants:application-status", args=[application.pk])
    # Through the sign-in page, which goes straight on to the application for someone already
    # signed in: the application's own address is not found for anyone who isn't.
    by_way_of_sign_in = f"{reverse('account_login')}?{urlencode({'next': link})}"
    message_send(
        recipient=request.user,
        kind="application",
        template="grants/emails/resume_link",
        context={"application": application, "url": request.build_absolute_uri(by_way_of_sign_in)},
        link=link,
    )
    messages.success(
        request,
        f"We have sent a link to {request.user.email}. Use it to come back to your application "
        "at any time.",
    )
    back = request.POST.get("next", "")
    own_pages = f"/applications/{application.pk}/"
    if back.startswith(own_pages) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(link)


# Checking and sending -----------------------------------------------------------------------------


def _check_context(application: Application) -> dict:
    questions = questions_for(application)
    return {
        "application": application,
        "about_url": section_url(application, ABOUT, change=True),
        "questions_url": section_url(application, QUESTIONS, change=True),
        "budget_url": section_url(application, BUDGET, change=True),
        "contact_url": section_url(application, CONTACT, change=True),
        "answers": [
            {
                "question": question,
                "answer": question.display(application.answers.get(question.key)),
                "href": problem_href(application, Problem(question.key, "")),
            }
            for question in questions
        ],
        "budget_lines": list(application.budget_lines.all()),
        "back_url": reverse("grants:application-status", args=[application.pk]),
        "last_saved": last_saved_text(application),
    }


@require_GET
@applicant_page
def check(request: HttpRequest, application: Application) -> HttpResponse:
    if application.status != S.DRAFT:
        return redirect("grants:application-status", application.pk)
    return render(request, "grants/apply/check.html", _check_context(application))


@require_POST
@applicant_page(related=())  # application_submit fetches it again, locked, with its fund
def submit(request: HttpRequest, application: Application) -> HttpResponse:
    """Send it. A second press (a double click, another tab) finds it sent and shows the same
    confirmation."""
    try:
        application = application_submit(application=application, by=request.user)
    except ApplicationIncomplete as incomplete:
        problems = [
            {"message": problem.message, "href": problem_href(application, problem)}
            for problem in incomplete.problems
        ]
        return render(
            request,
            "grants/apply/check.html",
            {**_check_context(application), "problems": problems},
            status=incomplete.status,
        )
    except RoundClosed as closed:
        return render(
            request,
            "grants/apply/round_closed.html",
            {
                "application": application,
                "message": closed.message,
                "next_round": application.fund.next_round(),
            },
            status=closed.status,
        )
    return redirect("grants:application-confirmation", application.pk)


@require_GET
@applicant_page
def confirmation(request: HttpRequest, application: Application) -> HttpResponse:
    if application.status == S.DRAFT or not application.reference:
        return redirect("grants:application-status", application.pk)
    return render(request, "grants/apply/confirmation.html", {"application": application})
