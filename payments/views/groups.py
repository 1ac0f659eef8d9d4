"""A group's own page for how it is paid: its Stripe account (set up on Stripe's pages) or its
bank details (shown masked; a change waits for an officer to confirm it by telephone)."""

import contextlib

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import stripe

from core.audit import audit_denied
from core.models import Organisation
from core.permissions import can_manage_organisation, signed_in_or_not_found
from grants.enums import PayoutMethod
from grants.models import Fund
from payments.forms import BankDetailsForm
from payments.models import BankDetails, ConnectedAccount
from payments.services.accounts import bank_details_save, connect_refresh, onboarding_link
from payments.stripe_api import stripe_configured


def _own_group(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_manage_organisation(request.user, organisation):
        audit_denied(actor=request.user, obj=organisation)
        raise Http404("No such organisation")
    return organisation


def _page(request: HttpRequest, organisation: Organisation, form: BankDetailsForm) -> HttpResponse:
    funds = Fund.objects.filter(applications__organisation=organisation).distinct()
    return render(
        request,
        "payments/group_payments.html",
        {
            "organisation": organisation,
            "form": form,
            "bank_details": BankDetails.objects.filter(organisation=organisation).first(),
            "account": ConnectedAccount.objects.filter(organisation=organisation).first(),
            "needs_stripe": funds.filter(payout_method=PayoutMethod.STRIPE_CONNECT).exists(),
            "stripe_configured": stripe_configured(),
        },
    )


@signed_in_or_not_found
@require_http_methods(["GET", "POST"])
def payment_setup(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _own_group(request, pk)
    form = BankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bank_details_save(organisation, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            "Bank details saved. We’ll telephone your group to check them before paying into "
            "this account.",
        )
        return redirect("payments:group-payments", organisation.pk)
    return _page(request, organisation, form)


@signed_in_or_not_found
@require_POST
def stripe_onboard(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _own_group(request, pk)
    back = request.build_absolute_uri(reverse("payments:group-stripe-back", args=[pk]))
    try:
        url = onboarding_link(organisation, by=request.user, return_url=back, refresh_url=back)
    except stripe.StripeError:
        messages.error(
            request, "We couldn’t reach Stripe just now. Please try again in a few minutes."
        )
        return redirect("payments:group-payments", pk)
    return redirect(url)


@signed_in_or_not_found
@require_GET
def stripe_back(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _own_group(request, pk)
    account = ConnectedAccount.objects.filter(organisation=organisation).first()
    if account is not None:
        # If Stripe can't be asked now, its account.updated event will bring the news instead.
        with contextlib.suppress(stripe.StripeError):
            account = connect_refresh(account)
        if account.ready:
            messages.success(request, "Your Stripe account is ready: grants can be paid into it.")
        else:
            messages.info(
                request,
                "Stripe needs a little more from you before grants can be paid. "
                "Continue setting up when you’re ready.",
            )
    return redirect("payments:group-payments", pk)
