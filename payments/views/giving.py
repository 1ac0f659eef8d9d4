"""Giving to a fund (Stripe Checkout), the thank-you page, and a funder's view of what their
money paid for."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.money import format_pence
from grants import ledger
from grants.enums import AWARDED_STATES
from grants.models import Application, Fund, FundingSource
from payments.enums import ContributionStatus
from payments.forms import GiveForm
from payments.models import Contribution
from payments.services.contributions import CheckoutUnavailable, checkout_open, contribution_start
from payments.stripe_api import stripe_configured


def _site_root(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
def give(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund, slug=slug, is_published=True)
    context = {
        "fund": fund,
        "raised": ledger.raised_from_outside(fund),
        "configured": stripe_configured(),
        "cancelled": request.GET.get("cancelled") == "1",
    }
    if not fund.accepts_contributions:
        return render(request, "payments/give_closed.html", context, status=404)
    if not context["configured"]:
        return render(request, "payments/give_not_configured.html", context)
    form = GiveForm(request.POST or None, fund=fund)
    if request.method == "POST" and form.is_valid():
        source = (
            FundingSource.objects.filter(user=request.user).first()
            if (request.user.is_authenticated)
            else None
        )
        contribution = contribution_start(
            fund=fund,
            amount_pence=form.cleaned_data["amount_pence"],
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            source=source,
        )
        try:
            url = checkout_open(contribution, site_root=_site_root(request))
        except CheckoutUnavailable:
            form.add_error(
                None,
                "We couldn’t reach our payment provider, so nothing has been taken. "
                "Please try again in a few minutes.",
            )
        else:
            return redirect(url, permanent=False)
    context["form"] = form
    return render(request, "payments/give.html", context)


@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Shown when Stripe sends the giver back. The fund is credited by Stripe's webhook, never by
    this page: it only says where things stand."""
    contribution = get_object_or_404(Contribution.objects.select_related("fund"), token=token)
    return render(
        request,
        "payments/thanks.html",
        {
            "contribution": contribution,
            "fund": contribution.fund,
            "amount": format_pence(contribution.amount_pence),
            "received": contribution.status == ContributionStatus.RECEIVED,
            "waiting": contribution.status
            in (ContributionStatus.CHECKOUT_OPEN, ContributionStatus.AWAITING_PAYMENT),
            "failed": contribution.status
            in (ContributionStatus.FAILED, ContributionStatus.EXPIRED, ContributionStatus.HELD),
        },
    )


@login_required
@require_GET
def funder_home(request: HttpRequest) -> HttpResponse:
    """What a funder's money has paid for: each fund they put money into, their share of it, and
    the awards it made, by locality, with the groups' published details only."""
    sources = list(FundingSource.objects.filter(user=request.user))
    if not sources:
        raise Http404
    funds = list(
        Fund.objects.filter(Q(ledger__source__in=sources) | Q(contributions__source__in=sources))
        .distinct()
        .select_related("locality")
        .order_by("-financial_year", "name")
    )
    given = ledger.given_by_fund(sources)
    awards_by_fund: dict[int, list[Application]] = defaultdict(list)
    for award in (
        Application.objects.filter(fund__in=funds, status__in=AWARDED_STATES)
        .select_related("organisation", "fund__locality")
        .order_by("-decided_at")
    ):
        awards_by_fund[award.fund_id].append(award)
    rows = [
        {
            "fund": fund,
            "given": given.get(fund.pk, 0),
            "share": round(100 * given.get(fund.pk, 0) / fund.budget_pence)
            if fund.budget_pence
            else 0,
            "awards": awards_by_fund[fund.pk],
            "awarded": sum(a.amount_awarded_pence or 0 for a in awards_by_fund[fund.pk]),
        }
        for fund in funds
    ]
    return render(request, "payments/funder_home.html", {"sources": sources, "rows": rows})
