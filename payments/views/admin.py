"""The staff admin's money pages (declared in payments/viewsets.py). Each action is a POST that
calls one service; the page says what happened. A page that was out of date is told so rather
than acting on what it showed, and any record outside the person's reach is 404, with the
refusal audited."""

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import audit_denied, audit_record
from core.models.audit import AuditAction
from core.money import format_pence
from core.permissions import in_reach_or_404
from core.refusals import refusal_response
from core.workflow import StaleObject, TransitionRefused
from grants import ledger
from grants.enums import PayoutMethod
from grants.permissions import funds_in_reach
from payments import permissions as rules
from payments import selectors_admin
from payments.bacs import BacsFileError
from payments.enums import PaymentStatus
from payments.forms_admin import (
    AllocationForm,
    DrawForm,
    PledgeForm,
    PrepareRunForm,
    ReconcileForm,
)
from payments.models import (
    Payment,
    PaymentRun,
)
from payments.services import accounts, events, runs
from payments.stripe_api import stripe_configured

# URL namespaces (payments/viewsets.py).
RUNS = "payment-runs"
MONEY = "payments_admin"

LIST_PER_PAGE = 50

# The two files a BACS run makes: content type and file name ending.
FILE_LAYOUTS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "bacs.csv"),
    "standard18": ("text/plain; charset=us-ascii", "standard18.txt"),
}


def _page(request: HttpRequest, template: str, title: str, context: dict[str, Any], **kw: Any):
    return render(
        request,
        f"payments/admin/{template}",
        {"page_title": title, "header_icon": "table", **context},
        **kw,
    )


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("p", "1")


# Payment runs -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def run_prepare(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.prepares_runs(user):
        raise Http404
    form = PrepareRunForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            run, held = runs.run_prepare(
                fund=form.cleaned_data["fund"], by=user, pay_on=form.cleaned_data["pay_on"]
            )
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            count = run.payments.count()
            summary = f"Payment run {run.reference} prepared with {count} payment" + (
                "" if count == 1 else "s"
            )
            if held:
                summary += f". {len(held)} held back: the reasons are listed on this page"
            messages.success(request, summary + ".")
            return redirect(f"{RUNS}:inspect", run.pk)
    return _page(request, "prepare.html", "Prepare a payment run", {"form": form})


def _payment_in(run: PaymentRun, request: HttpRequest, action: str) -> Payment:
    raw = request.POST.get("payment", "")
    if not raw.isdigit():
        raise TransitionRefused("Choose which payment.", status=400)
    return in_reach_or_404(
        request.user,
        rules.payments_in_reach(request.user).filter(run=run),
        int(raw),
        action=action,
    )


def _reason(request: HttpRequest, question: str) -> str:
    reason = " ".join(request.POST.get("reason", "").split())
    if not reason:
        raise TransitionRefused(question, status=400)
    return reason


def _act(run: PaymentRun, request: HttpRequest, action: str) -> str:
    user = request.user
    if action == "submit":
        runs.run_submit(run, by=user)
        return "Sent for approval. A finance officer who made none of its awards must approve it."
    if action == "cancel":
        runs.run_cancel(run, by=user, reason=_reason(request, "Say why you are cancelling it."))
        return f"Payment run {run.reference} cancelled. Its payments can go in another run."
    if action == "approve":
        runs.run_approve(run, by=user)
        if run.method == PayoutMethod.BACS:
            return (
                "Approved. Download the BACS file, send it to the bank, then confirm here "
                "that it was sent."
            )
        return "Approved. The payments are being sent to the groups’ Stripe accounts."
    if action == "confirm_sent":
        runs.bacs_submitted(run, by=user)
        return "Recorded as sent to the bank. The payments are marked as paid."
    if action == "take_out":
        payment = _payment_in(run, request, action)
        runs.payment_take_out(
            payment, by=user, reason=_reason(request, "Say why you are taking it out.")
        )
        return f"Payment to {payment.organisation} taken out of the run."
    if action == "record_return":
        payment = _payment_in(run, request, action)
        if request.POST.get("expected_payment_status") != payment.status:
            raise StaleObject()
        if payment.status != PaymentStatus.SENT:
            raise TransitionRefused("Only a payment that was sent can be returned.")
        runs.payment_return(
            payment, by=user, reason=_reason(request, "Say why the bank returned it.")
        )
        return (
            f"Return recorded for {payment.organisation}. The payment is due again and can go "
            "in a later run."
        )
    raise Http404


@require_POST
def run_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    run = in_reach_or_404(request.user, rules.runs_in_reach(request.user), pk, action=action)
    back_url = reverse(f"{RUNS}:inspect", args=[run.pk])
    try:
        if request.POST.get("expected_status") != run.status:
            raise StaleObject()
        done = _act(run, request, action)
    except TransitionRefused as refused:
        return refusal_response(request, refused, back_url)
    messages.success(request, done)
    return redirect(back_url)


def _file_name(run: PaymentRun, ending: str) -> str:
    # The reference is ours (PR-2026-0001), but a file name is no place to trust that.
    safe = re.sub(r"[^A-Za-z0-9-]", "", run.reference) or "payment-run"
    return f"{safe}-{ending}"


@require_GET
def run_file(request: HttpRequest, pk: int, layout: str) -> HttpResponse:
    """The run's BACS file, with the groups' full bank details: only for those allowed, and every
    download is in the audit trail."""
    if layout not in FILE_LAYOUTS:
        raise Http404
    user = request.user
    run = in_reach_or_404(user, rules.runs_in_reach(user), pk, layout=layout)
    if not rules.can_download_bacs_file(run, user):
        audit_denied(actor=user, obj=run, detail={"via": "admin", "layout": layout})
        raise PermissionDenied
    try:
        content = runs.bacs_file(run, layout=layout)
    except (TransitionRefused, BacsFileError) as refused:
        messages.error(request, getattr(refused, "message", str(refused)))
        return redirect(f"{RUNS}:inspect", run.pk)
    audit_record(actor=user, action=AuditAction.DOWNLOAD, obj=run, detail={"layout": layout})
    content_type, ending = FILE_LAYOUTS[layout]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_file_name(run, ending)
    )
    response["Cache-Control"] = "no-store"
    return response


# The finance dashboard ----------------------------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not rules.sees_payments(request.user):
        raise Http404
    return _page(
        request,
        "dashboard.html",
        "Finance dashboard",
        {**selectors_admin.dashboard(request.user), "stripe_configured": stripe_configured()},
    )


@require_POST
def event_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = in_reach_or_404(user, rules.stripe_events_in_reach(user), pk)
    if not rules.can_retry_stripe_event(event, user):
        messages.info(request, "That Stripe event has already been dealt with.")
        return redirect(f"{MONEY}:dashboard")
    events.event_retry(event, by=user)
    messages.success(
        request,
        f"Stripe’s {event.type} event will be tried again shortly. If it fails again, it stays "
        "on this page with its error.",
    )
    return redirect(f"{MONEY}:dashboard")


# Match pledges ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def fund_match(request: HttpRequest, pk: int) -> HttpResponse:
    """A fund's budget: put money in from a source, record a funder's match pledge, or draw on
    one into the budget."""
    user = request.user
    fund = in_reach_or_404(user, funds_in_reach(user), pk, page="match")
    if not rules.can_record_match(fund, user):
        raise Http404
    sources = selectors_admin.match_sources(fund)
    action = request.POST.get("action") if request.method == "POST" else None
    allocation_form = AllocationForm(request.POST if action == "allocate" else None)
    pledge_form = PledgeForm(request.POST if action == "pledge" else None)
    draw_form = DrawForm(request.POST if action == "draw" else None, sources=sources)
    if action == "allocate" and allocation_form.is_valid():
        data = allocation_form.cleaned_data
        ledger.allocate(
            fund=fund,
            source=data["source"],
            amount_pence=data["amount"],
            by=user,
            memo=data["memo"].strip(),
        )
        messages.success(
            request,
            f"{format_pence(data['amount'])} from {data['source']} is in {fund.name}’s budget.",
        )
        return redirect(f"{MONEY}:match", fund.pk)
    if action == "pledge" and pledge_form.is_valid():
        data = pledge_form.cleaned_data
        ledger.pledge_match(
            fund=fund,
            source=data["source"],
            amount_pence=data["amount"],
            by=user,
            memo=data["memo"].strip(),
        )
        messages.success(request, f"{data['source']}’s pledge is recorded.")
        return redirect(f"{MONEY}:match", fund.pk)
    if action == "draw" and draw_form.is_valid():
        data = draw_form.cleaned_data
        try:
            ledger.draw_match(
                fund=fund,
                source=data["source"],
                amount_pence=data["amount"],
                by=user,
                memo=data["memo"].strip(),
            )
        except ledger.PledgeExhausted as exhausted:
            draw_form.add_error("amount", f"That is more than is left. {exhausted.message}")
        else:
            messages.success(request, f"Drawn down from {data['source']}’s pledge into the budget.")
            return redirect(f"{MONEY}:match", fund.pk)
    status = 400 if action in ("allocate", "pledge", "draw") else 200
    return _page(
        request,
        "match.html",
        f"Budget and match funding: {fund.name}",
        {
            "fund": fund,
            "sources": ledger.budget_by_source(fund),
            "allocation_form": allocation_form,
            "pledges": selectors_admin.pledges_by_fund([fund]).get(fund.pk, []),
            "pledge_form": pledge_form,
            "draw_form": draw_form,
            "has_sources": sources.exists(),
        },
        status=status,
    )


# Reconciliations ----------------------------------------------------------------------------------


@require_GET
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.sees_reconciliations(user):
        raise Http404
    results = (
        rules.reconciliations_in_reach(user)
        .select_related("ran_by")
        .annotate(item_count=Count("items"))
        .order_by("-ran_at")
    )
    page = Paginator(results, LIST_PER_PAGE).get_page(_page_number(request))
    return _page(
        request,
        "reconciliations.html",
        "Reconciliations",
        {"page": page, "can_run": rules.can_run_reconciliation(user)},
    )


@require_http_methods(["GET", "POST"])
def reconciliation_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not rules.can_run_reconciliation(user):
        raise Http404
    if not stripe_configured():
        return _page(request, "reconciliation_new.html", "Run a reconciliation", {"form": None})
    form = ReconcileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from payments.services.reconciliation import reconcile

        result = reconcile(
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            by=user,
        )
        if result.failed:
            messages.error(request, "Stripe could not be read, so nothing was compared.")
        elif result.is_clean:
            messages.success(request, "Done: the ledger and Stripe agree for that period.")
        else:
            messages.warning(request, "Done: there are differences to look at, listed below.")
        return redirect(f"{MONEY}:reconciliation", result.pk)
    return _page(request, "reconciliation_new.html", "Run a reconciliation", {"form": form})


@require_GET
def reconciliation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    result = in_reach_or_404(
        request.user,
        rules.reconciliations_in_reach(user).select_related("ran_by"),
        pk,
    )
    items = result.items.select_related("fund").order_by("kind", "stripe_reference")
    return _page(
        request,
        "reconciliation.html",
        f"Reconciliation, {date_format(result.period_from, 'j F Y')} to "
        f"{date_format(result.period_to, 'j F Y')}",
        {"result": result, "items": list(items)},
    )


# Bank details -------------------------------------------------------------------------------------


@require_GET
def bank_details_list(request: HttpRequest) -> HttpResponse:
    """Groups' bank details, masked: the full numbers appear only in a BACS file."""
    user = request.user
    if not rules.sees_bank_details(user):
        raise Http404
    waiting_only = request.GET.get("waiting") == "1"
    details = (
        rules.bank_details_in_reach(user)
        .select_related("organisation", "changed_by", "confirmed_by")
        .order_by("confirmed_at", "organisation__name")
    )
    if waiting_only:
        details = details.filter(confirmed_at__isnull=True)
    page = Paginator(details, LIST_PER_PAGE).get_page(_page_number(request))
    return _page(
        request,
        "bank_details.html",
        "Bank details",
        {
            "page": page,
            "waiting_only": waiting_only,
            "can_confirm": rules.can_manage_bank_details(user),
        },
    )


@require_POST
def bank_details_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    details = in_reach_or_404(user, rules.bank_details_in_reach(user), pk)
    back_url = reverse(f"{MONEY}:bank-details") + "?waiting=1"
    if not rules.can_confirm_bank_details(details, user):
        audit_denied(actor=user, obj=details, detail={"via": "admin", "action": "confirm"})
        raise PermissionDenied
    # The group may have changed them again since the page was shown: confirming numbers the
    # officer never checked is the fraud this step is there to stop.
    if request.POST.get("expected_changed_at") != details.changed_at.isoformat():
        return refusal_response(request, StaleObject(), back_url)
    if details.confirmed:
        messages.info(request, f"{details.organisation}’s bank details are already confirmed.")
        return redirect(back_url)
    try:
        accounts.bank_details_confirm(details, by=user, note=request.POST.get("note", ""))
    except TransitionRefused as refused:
        messages.error(request, refused.message)
        return redirect(back_url)
    messages.success(
        request, f"{details.organisation}’s bank details are confirmed: payments can use them."
    )
    return redirect(back_url)
