"""The staff side of money in the admin, under "Money": the finance dashboard, payment runs (list,
preparation, a page per run with the actions open to this person), contributions, reconciliations
and groups' bank details.

Every record comes from a rule in payments/permissions.py scoped to the person's reach, as the
grants screens do (core/viewsets.py): an id from outside it is 404, and the refusal is audited.
The pages that are not lists of one model (the dashboard, reconciliations, bank details, match
pledges) live in payments/views/admin.py under the `payments_admin` URL namespace."""

from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

import django_filters

from core.admin_listing import PlainColumn, PlainTitleColumn
from core.models import User
from core.money import format_pence
from core.viewsets import (
    ReadOnlyViewSet,
    RecordInspectView,
    RecordPanel,
    ScopedIndexView,
    ScopedPermissionPolicy,
    SeedbedModelViewSet,
    can_read_audit_trail,
    history_panel,
)
from grants.enums import PayoutMethod
from grants.models import Fund
from grants.permissions import funds_in_reach
from payments import permissions as rules
from payments import selectors_admin
from payments.enums import ContributionStatus, PaymentStatus, RunStatus
from payments.models import Contribution, PaymentRun
from payments.views import admin as views

RUNS = views.RUNS
CONTRIBUTIONS = "contributions"
MONEY = views.MONEY


# Permission policies ------------------------------------------------------------------------------


class RunPolicy(ScopedPermissionPolicy):
    """Runs of funds in reach (payments.permissions.runs_in_reach). Made only by preparing one and
    changed only through their workflow, never by a form."""

    def scope(self, user: Any) -> QuerySet:
        return rules.runs_in_reach(user)


class ContributionPolicy(ScopedPermissionPolicy):
    """Gifts to funds in reach; Stripe's word changes them, never a form."""

    def scope(self, user: Any) -> QuerySet:
        return rules.contributions_in_reach(user)


run_policy = RunPolicy(PaymentRun, denied_actions=("add", "change", "delete"))
contribution_policy = ContributionPolicy(Contribution, denied_actions=("add", "change", "delete"))


def _request_funds(request: HttpRequest | None) -> QuerySet[Fund]:
    if request is None:
        return Fund.objects.none()
    return funds_in_reach(request.user)


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


# Payment runs -------------------------------------------------------------------------------------


class PaymentRunFilterSet(WagtailFilterSet):
    fund = django_filters.ModelChoiceFilter(label="Fund", queryset=_request_funds)
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=RunStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    method = django_filters.ChoiceFilter(label="Paid by", choices=PayoutMethod.choices)
    pay_on = django_filters.DateFromToRangeFilter(label="Pay on", widget=DateRangePickerWidget)

    class Meta:
        model = PaymentRun
        fields = ["fund", "status", "method", "pay_on"]


class PaymentRunIndexView(ScopedIndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if rules.prepares_runs(self.request.user):
            buttons.append(
                HeaderButton(
                    "Prepare a payment run", url=reverse(f"{RUNS}:prepare"), icon_name="plus"
                )
            )
        return buttons


class PaymentRunInspectView(RecordInspectView):
    template_name = "payments/admin/run.html"

    def get_field_display_value(self, field_name, field):
        # Who approved it and when it went to the bank are empty until they happen.
        value = super().get_field_display_value(field_name, field)
        return "Not yet" if value is None else value


def _method(run: PaymentRun) -> str:
    return "BACS file" if run.method == PayoutMethod.BACS else "Stripe"


def run_actions(run: PaymentRun, request: HttpRequest) -> dict[str, Any]:
    return selectors_admin.run_actions(run, request.user)


def run_payments(run: PaymentRun, request: HttpRequest) -> dict[str, Any]:
    return {
        **selectors_admin.run_payments(run, request.user),
        "held": selectors_admin.held_back(run),
    }


def run_history(run: PaymentRun, request: HttpRequest) -> dict[str, Any]:
    return history_panel(
        selectors_admin.run_history(run), reverse(f"{RUNS}:history", args=[run.pk])
    )


class PaymentRunViewSet(SeedbedModelViewSet):
    model = PaymentRun
    name = RUNS
    icon = "table"
    menu_label = "Payment runs"
    permission_policy = run_policy
    index_view_class = PaymentRunIndexView
    inspect_view_enabled = True
    inspect_view_class = PaymentRunInspectView
    inspect_view_fields = [
        "reference",
        "fund",
        "method",
        "status",
        "pay_on",
        "prepared_by",
        "prepared_at",
        "approved_by",
        "approved_at",
        "submitted_to_bank_at",
        "completed_at",
    ]
    list_select_related = ("fund", "prepared_by")
    list_annotations = {
        "live_count": Count("payments", filter=~Q(payments__status=PaymentStatus.CANCELLED)),
        "live_pence": Sum(
            "payments__amount_pence", filter=~Q(payments__status=PaymentStatus.CANCELLED)
        ),
    }
    list_display = [
        PlainTitleColumn("reference", label="Reference", url_name=f"{RUNS}:inspect"),
        PlainColumn("fund", label="Fund"),
        PlainColumn("method", label="Paid by", accessor=_method),
        PlainColumn("status", label="Status", accessor="get_status_display", sort_key="status"),
        PlainColumn("pay_on", label="Pay on", sort_key="pay_on"),
        PlainColumn("live_count", label="Payments"),
        PlainColumn(
            "live_pence", label="Total", accessor=lambda r: format_pence(r.live_pence or 0)
        ),
        PlainColumn("prepared_by", label="Prepared by", accessor=lambda r: _person(r.prepared_by)),
    ]
    filterset_class = PaymentRunFilterSet
    search_fields = ["reference"]
    search_backend_name = None

    def get_record_panels(self):
        return [
            RecordPanel(
                "payments/admin/panels/run_actions.html", run_actions, heading="What you can do"
            ),
            RecordPanel(
                "payments/admin/panels/run_payments.html", run_payments, heading="Payments"
            ),
            RecordPanel(
                "core/admin/panels/history.html",
                run_history,
                shown_to=can_read_audit_trail,
                heading="History of the run and its payments",
            ),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("prepare/", views.run_prepare, name="prepare"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("act/<int:pk>/<slug:action>/", views.run_act, name="act"),
            path("file/<int:pk>/<slug:layout>/", views.run_file, name="file"),
        ]


# Contributions ------------------------------------------------------------------------------------


class ContributionFilterSet(WagtailFilterSet):
    fund = django_filters.ModelChoiceFilter(label="Fund", queryset=_request_funds)
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=ContributionStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    created_at = django_filters.DateFromToRangeFilter(label="Started", widget=DateRangePickerWidget)

    class Meta:
        model = Contribution
        fields = ["fund", "status", "created_at"]


class ContributionViewSet(ReadOnlyViewSet):
    """Read-only: gifts change only by Stripe's word (payments.services.contributions)."""

    model = Contribution
    name = CONTRIBUTIONS
    icon = "pick"
    menu_label = "Contributions"
    permission_policy = contribution_policy
    list_select_related = ("fund",)
    list_display = [
        PlainColumn("contributor_name", label="From", sort_key="contributor_name"),
        PlainColumn("fund", label="Fund"),
        PlainColumn(
            "amount_pence",
            label="Amount",
            accessor=lambda c: format_pence(c.amount_pence),
            sort_key="amount_pence",
        ),
        PlainColumn("status", label="Status", accessor="get_status_display", sort_key="status"),
        PlainColumn("created_at", label="Started", sort_key="created_at"),
        PlainColumn("received_at", label="Received", sort_key="received_at"),
        PlainColumn(
            "refunded_pence",
            label="Refunded",
            accessor=lambda c: format_pence(c.refunded_pence) if c.refunded_pence else "",
        ),
    ]
    filterset_class = ContributionFilterSet
    search_fields = ["contributor_name"]
    search_backend_name = None


# The pages that are not one model's list ----------------------------------------------------------


def _menu_item_shown_to(rule) -> type[MenuItem]:
    class ShownToMenuItem(MenuItem):
        def is_shown(self, request: HttpRequest) -> bool:
            return rule(request.user)

    return ShownToMenuItem


class MoneyViewSet(ViewSet):
    """The finance dashboard and the pages it leads to. Its URL names are `payments_admin:...`;
    payments.services.reconciliation links to `payments_admin:reconciliation`."""

    name = "money"
    url_namespace = MONEY
    icon = "table"
    menu_label = "Finance dashboard"

    @cached_property
    def menu_item_class(self):
        return _menu_item_shown_to(rules.sees_payments)

    def get_urlpatterns(self):
        return [
            path("", views.dashboard, name="dashboard"),
            path("stripe-events/<int:pk>/retry/", views.event_retry, name="event-retry"),
            path("funds/<int:pk>/match/", views.fund_match, name="match"),
            path("reconciliations/", views.reconciliation_list, name="reconciliations"),
            path("reconciliations/new/", views.reconciliation_new, name="reconciliation-new"),
            path("reconciliations/<int:pk>/", views.reconciliation_detail, name="reconciliation"),
            path("bank-details/", views.bank_details_list, name="bank-details"),
            path(
                "bank-details/<int:pk>/confirm/",
                views.bank_details_confirm,
                name="bank-details-confirm",
            ),
        ]


class MoneyMenuEntry(ViewSet):
    """A menu entry for one of MoneyViewSet's pages. It has no URLs of its own, so registering it
    adds only the entry."""

    url_name: str = ""
    shown_to = staticmethod(lambda user: False)

    @cached_property
    def menu_url(self):
        return reverse(f"{MONEY}:{self.url_name}")

    @cached_property
    def menu_item_class(self):
        return _menu_item_shown_to(self.shown_to)


class ReconciliationsMenuEntry(MoneyMenuEntry):
    name = "money-reconciliations"
    icon = "tasks"
    menu_label = "Reconciliations"
    url_name = "reconciliations"
    shown_to = staticmethod(rules.sees_reconciliations)


class BankDetailsMenuEntry(MoneyMenuEntry):
    name = "money-bank-details"
    icon = "lock"
    menu_label = "Bank details"
    url_name = "bank-details"
    shown_to = staticmethod(rules.sees_bank_details)


class MoneyGroup(ViewSetGroup):
    menu_label = "Money"
    menu_icon = "table"
    menu_order = 160
    items = (
        MoneyViewSet,
        PaymentRunViewSet,
        ContributionViewSet,
        ReconciliationsMenuEntry,
        BankDetailsMenuEntry,
    )


def all_viewsets() -> list:
    return [MoneyGroup()]


def model_viewsets(viewsets: list) -> list:
    """The viewsets that show a model, whose permission policies must be registered."""
    return [
        registerable
        for group in viewsets
        for registerable in group.registerables
        if isinstance(registerable, SeedbedModelViewSet)
    ]
