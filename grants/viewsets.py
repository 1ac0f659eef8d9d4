"""The grants officer's screens in the staff admin: funds (set-up and dashboard) and applications
(list with filters, search and exports; a page per application with its timeline and the actions
open to this person). Records come through permission policies scoped to the officer's
localities, as everywhere in the admin (see core/viewsets.py)."""

from itertools import zip_longest
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property

from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

import django_filters

from core.admin_listing import PlainColumn, PlainTitleColumn
from core.enums import DocumentKind
from core.forms import PoundsField
from core.models import AdvisoryBoard, Locality, Organisation
from core.permissions import localities_for
from core.refusals import kept_answers
from core.viewsets import (
    AuditedCreateView,
    AuditedEditView,
    LocalityScopedPermissionPolicy,
    RecordInspectView,
    RecordPanel,
    ScopedIndexView,
    ScopedPermissionPolicy,
    SeedbedModelViewSet,
)
from grants import permissions as rules
from grants import selectors_admin
from grants.admin_list import application_rows
from grants.enums import OPEN_BEFORE_DECISION, ApplicationStatus, DecisionRoute, MeetingStatus
from grants.models import Application, BoardMeeting, Fund, FundingSource, Round
from grants.services.exports import COLUMNS as export_columns

FUNDS = "grant-funds"
APPLICATIONS = "grant-applications"
SOURCES = "funding-sources"
MEETINGS = "board-meetings"


class FundScopedPolicy(ScopedPermissionPolicy):
    """A fund belongs to its locality; borough-wide funds are every officer's
    (grants.permissions.funds_in_reach)."""

    def scope(self, user: Any) -> QuerySet:
        return rules.funds_in_reach(user)


fund_policy = FundScopedPolicy(Fund, denied_actions=("delete",))


class ApplicationPolicy(ScopedPermissionPolicy):
    """Sent applications to funds in reach (grants.permissions.applications_in_reach)."""

    def scope(self, user: Any) -> QuerySet:
        return rules.applications_in_reach(user)


# Applications are made by groups and changed only through their workflow, never by a form.
application_policy = ApplicationPolicy(Application, denied_actions=("add", "change", "delete"))
source_policy = ScopedPermissionPolicy(FundingSource, denied_actions=("delete",))
# A meeting is part of the minutes once planned; a cancelled one is moved, not deleted.
meeting_policy = LocalityScopedPermissionPolicy(
    BoardMeeting, locality_lookup="board__locality", denied_actions=("delete",)
)


def _officer_localities(request: HttpRequest | None) -> QuerySet[Locality]:
    return localities_for(request.user) if request is not None else Locality.objects.none()


def _officer_funds(request: HttpRequest | None) -> QuerySet[Fund]:
    if request is None:
        return Fund.objects.none()
    return fund_policy.scope(request.user)


class ApplicationFilterSet(WagtailFilterSet):
    fund = django_filters.ModelChoiceFilter(label="Fund", queryset=_officer_funds)
    locality = django_filters.ModelChoiceFilter(
        label="Locality", field_name="fund__locality", queryset=_officer_localities
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=ApplicationStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    amount_min = django_filters.NumberFilter(
        label="Amount asked for, at least (£)", method="filter_amount_min"
    )
    amount_max = django_filters.NumberFilter(
        label="Amount asked for, at most (£)", method="filter_amount_max"
    )
    submitted_at = django_filters.DateFromToRangeFilter(
        label="Submitted", widget=DateRangePickerWidget
    )
    overdue = django_filters.ChoiceFilter(
        label="Decision overdue",
        choices=[("yes", "Only those whose decision is overdue")],
        empty_label="All",
        method="filter_overdue",
    )

    class Meta:
        model = Application
        fields = ["fund", "locality", "status", "submitted_at"]

    def filter_amount_min(self, queryset, name, value):
        return queryset.filter(amount_requested_pence__gte=int(value * 100))

    def filter_amount_max(self, queryset, name, value):
        return queryset.filter(amount_requested_pence__lte=int(value * 100))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            status__in=OPEN_BEFORE_DECISION, decision_due_on__lt=timezone.localdate()
        )


def _pounds(pence: int | None) -> str:
    from core.money import format_pence

    return format_pence(pence) if pence is not None else ""


class ApplicationIndexView(ScopedIndexView):
    # The list shows none of these, and each is JSON (three StreamFields on the fund) that would be
    # parsed for every row.
    deferred_fields = (
        "answers",
        "form_snapshot",
        "fund__eligibility",
        "fund__application_form",
        "fund__end_of_grant_form",
        "fund__conditions",
    )

    # The admin around the rows is rendered once per person and query, and the whole page is
    # remembered until an application, group or fund changes (core.admin_frame).
    remember_frame = True
    results_records = (Application, Organisation, Fund)

    def get_base_queryset(self):
        return super().get_base_queryset().defer(*self.deferred_fields)

    def to_row_dict(self, item):
        return {heading: value(item) for heading, value in export_columns}

    def get_heading(self, queryset, field):
        return field

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export:
            # The page's rows as plain values (grants.admin_list); exports still read the models.
            rows = application_rows(context["object_list"])
            context["object_list"] = rows
            context["table"] = self.get_table(rows)
        return context

    @cached_property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        url = reverse(f"{APPLICATIONS}:bulk") + (f"?{query}" if query else "")
        return [
            *super().header_buttons,
            HeaderButton("Act on several", url=url, icon_name="list-ul"),
        ]


class ApplicationInspectView(RecordInspectView):
    template_name = "grants/admin/application.html"
    audit_views = True


# The officer's action forms and the fields each keeps when a refusal sends the officer back.
TYPED_FIELDS = {
    "request_information": ("question",),
    "award": ("amount", "conditions", "reason"),
    "decline": ("decline_reason", "feedback"),
    "send_for_decision": ("checked_otherwise",),
    "refer_to_board": ("reason",),
    "withdraw": ("reason",),
    "issue_agreement": ("starts_on", "ends_on"),
}
AGREEMENT_PAYMENT_ROWS = 2


def _typed_payments(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The agreement form's payment rows as the officer typed them, or empty ones."""

    def values(name: str) -> list[str]:
        value = answers.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    rows = list(zip_longest(values("tranche_amount"), values("tranche_due_on"), fillvalue=""))
    return (rows + [("", "")] * AGREEMENT_PAYMENT_ROWS)[: max(len(rows), AGREEMENT_PAYMENT_ROWS)]


def application_actions(application: Application, request: HttpRequest) -> dict[str, Any]:
    context = selectors_admin.actions_for(application, request.user)
    kept = kept_answers(request)
    context["typed"] = {
        form: {
            name: kept["answers"].get(name, "") if kept.get("form") == form else ""
            for name in names
        }
        for form, names in TYPED_FIELDS.items()
    }
    if kept.get("form") == "award" and kept["answers"].get("amount"):
        context["award_amount"] = kept["answers"]["amount"]
    agreement_typed = kept.get("form") == "issue_agreement"
    context["payment_rows"] = _typed_payments(kept["answers"] if agreement_typed else {})
    if agreement_typed:
        context["grant_period"] = (kept["answers"].get("starts_on"), kept["answers"].get("ends_on"))
    return context


def application_board(application: Application, request: HttpRequest) -> dict[str, Any]:
    return selectors_admin.board_summary(application)


def application_answers(application: Application, request: HttpRequest) -> dict[str, Any]:
    return selectors_admin.answers_summary(application)


def application_messages(application: Application, request: HttpRequest) -> dict[str, Any]:
    return selectors_admin.messages_to_group(application)


def application_money(application: Application, request: HttpRequest) -> dict[str, Any]:
    return {"tranches": application.tranches.all(), "reports": application.monitoring_reports.all()}


class ApplicationViewSet(SeedbedModelViewSet):
    model = Application
    name = APPLICATIONS
    icon = "form"
    menu_label = "Applications"
    menu_order = 10
    permission_policy = application_policy
    inspect_view_enabled = True
    inspect_view_class = ApplicationInspectView
    # A summary to read at a glance; the answers, board and money follow in their own sections.
    inspect_view_fields = [
        "reference",
        "title",
        "organisation",
        "fund",
        "status",
        "submitted_at",
        "decision_due_on",
        "amount_requested_pence",
        "amount_awarded_pence",
        "award_conditions",
        "decline_reason",
        "feedback",
        "assigned_officer",
    ]
    index_view_class = ApplicationIndexView
    list_per_page = 60
    list_select_related = ("fund", "fund__locality", "organisation")
    list_display = [
        PlainTitleColumn(
            "reference",
            label="Reference",
            accessor=lambda a: a.reference or "Draft",
            url_name=f"{APPLICATIONS}:inspect",
        ),
        PlainColumn("title", label="Title", sort_key="title"),
        PlainColumn("organisation", label="Group"),
        PlainColumn("fund", label="Fund"),
        PlainColumn("status", label="Status", accessor="get_status_display", sort_key="status"),
        PlainColumn(
            "amount_requested_pence",
            label="Asked for",
            accessor=lambda a: _pounds(a.amount_requested_pence),
            sort_key="amount_requested_pence",
        ),
        PlainColumn("submitted_at", label="Submitted", sort_key="submitted_at"),
        PlainColumn("decision_due_on", label="Decision due", sort_key="decision_due_on"),
    ]
    filterset_class = ApplicationFilterSet
    search_fields = ["reference", "title", "organisation__name"]
    search_backend_name = None
    # The same columns as the prepared download (grants.services.exports), in the same words.
    list_export = [heading for heading, _value in export_columns]
    export_filename = "applications"

    def get_record_panels(self):
        return [
            RecordPanel(
                "grants/admin/panels/actions.html", application_actions, heading="What you can do"
            ),
            RecordPanel(
                "grants/admin/panels/answers.html", application_answers, heading="The application"
            ),
            RecordPanel("grants/admin/panels/board.html", application_board, heading="Board"),
            RecordPanel(
                "grants/admin/panels/money.html", application_money, heading="Payments and report"
            ),
            RecordPanel(
                "grants/admin/panels/messages.html",
                application_messages,
                heading="Messages to the group",
            ),
            self.history_panel(),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        from grants.views.officer import application_act
        from grants.views.officer_bulk import application_bulk
        from grants.views.officer_exports import export_create, export_download, export_status

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("act/<int:pk>/<slug:action>/", application_act, name="act"),
            path("bulk/", application_bulk, name="bulk"),
            path("exports/new/", export_create, name="export-new"),
            path("exports/<int:pk>/", export_status, name="export"),
            path("exports/<int:pk>/download/", export_download, name="export-download"),
        ]


def _fund_pounds(name: str, label: str) -> PoundsField:
    """A fund's amount in pence, typed and shown in pounds, starting from the model's default."""
    model_field = Fund._meta.get_field(name)
    return PoundsField(label=label, initial=model_field.default, help_text=model_field.help_text)


class FundAdminForm(WagtailAdminModelForm):
    # Officers type and read pounds; the fund keeps pence.
    minimum_award_pence = _fund_pounds("minimum_award_pence", "Smallest award, in pounds")
    maximum_award_pence = _fund_pounds("maximum_award_pence", "Largest award, in pounds")
    short_form_below_pence = _fund_pounds(
        "short_form_below_pence", "Short form for requests below, in pounds"
    )
    delegated_limit_pence = _fund_pounds(
        "delegated_limit_pence", "Officer's delegated limit, in pounds"
    )
    contribution_minimum_pence = _fund_pounds(
        "contribution_minimum_pence", "Smallest gift, in pounds"
    )
    contribution_maximum_pence = _fund_pounds(
        "contribution_maximum_pence", "Largest gift, in pounds"
    )
    required_documents = forms.MultipleChoiceField(
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Documents a group must hold, in date, before a decision",
    )


def fund_figures(fund: Fund, request: HttpRequest) -> dict[str, Any]:
    from payments.permissions import can_record_match

    return {
        "dashboard": selectors_admin.fund_dashboard(fund),
        "fund": fund,
        "budget_url": reverse("payments_admin:match", args=[fund.pk])
        if can_record_match(fund, request.user)
        else None,
    }


class FundInspectView(RecordInspectView):
    template_name = "grants/admin/fund.html"


class FundPageOnPublishMixin:
    """A fund saved as published gets its page in the public funding section at once, so groups
    can find it without waiting for an editor; editors add words to it later."""

    def save_instance(self):
        fund = super().save_instance()
        if fund.is_published:
            from cms.services import fund_pages_sync

            fund_pages_sync()
        return fund

    def _public_page(self):
        page = getattr(self.object, "fund_page", None)
        return page if page is not None and self.object.is_published else None

    def get_success_message(self, *args):
        message = super().get_success_message(*args)  # the create view passes the fund
        if message and self._public_page():
            message = f"{message} It has a page on the public site."
        return message

    def get_success_buttons(self):
        buttons = super().get_success_buttons()
        if page := self._public_page():
            buttons.append(messages.button(page.url, "View the public page"))
        return buttons


class FundCreateView(FundPageOnPublishMixin, AuditedCreateView):
    pass


class FundEditView(FundPageOnPublishMixin, AuditedEditView):
    pass


class FundViewSet(SeedbedModelViewSet):
    model = Fund
    name = FUNDS
    icon = "tasks"
    menu_label = "Funds"
    menu_order = 20
    permission_policy = fund_policy
    inspect_view_enabled = True
    inspect_view_class = FundInspectView
    inspect_view_fields = [
        "locality",
        "financial_year",
        "route",
        "is_rolling",
        "is_published",
        "minimum_award_pence",
        "maximum_award_pence",
        "short_form_below_pence",
        "delegated_limit_pence",
    ]
    add_view_class = FundCreateView
    edit_view_class = FundEditView
    list_select_related = ("locality",)
    list_display = [
        PlainTitleColumn("name", url_name=f"{FUNDS}:inspect"),
        PlainColumn("locality", label="Area", accessor="area_name"),
        PlainColumn("financial_year", label="Year"),
        PlainColumn("route", label="Decided by", accessor="get_route_display"),
        PlainColumn("budget_pence", label="Budget", accessor=lambda f: _pounds(f.budget_pence)),
        PlainColumn(
            "committed_pence", label="Committed", accessor=lambda f: _pounds(f.committed_pence)
        ),
        PlainColumn("paid_pence", label="Paid", accessor=lambda f: _pounds(f.paid_pence)),
        PlainColumn("remaining", label="Remaining", accessor=lambda f: _pounds(f.remaining_pence)),
    ]
    search_fields = ["name"]
    search_backend_name = None

    def get_record_panels(self):
        return [
            RecordPanel(
                "grants/admin/panels/fund_dashboard.html", fund_figures, heading="Dashboard"
            ),
            self.history_panel(),
        ]

    def get_edit_handler(self):
        return TabbedInterface(
            [
                ObjectList(
                    [
                        FieldPanel("name"),
                        FieldPanel("slug"),
                        FieldRowPanel([FieldPanel("locality"), FieldPanel("financial_year")]),
                        FieldPanel("summary"),
                        FieldPanel("who_can_apply"),
                        FieldRowPanel(
                            [
                                FieldPanel("route"),
                                FieldPanel("is_rolling"),
                                FieldPanel("is_published"),
                            ]
                        ),
                        FieldRowPanel(
                            [
                                FieldPanel("minimum_award_pence"),
                                FieldPanel("maximum_award_pence"),
                                FieldPanel("short_form_below_pence"),
                            ],
                            heading="Amounts",
                        ),
                        FieldRowPanel(
                            [
                                FieldPanel("delegated_limit_pence"),
                                FieldPanel("decision_target_working_days"),
                                FieldPanel("rolling_decision_working_days"),
                                FieldPanel("monitoring_due_days"),
                            ]
                        ),
                        FieldPanel("conditions"),
                    ],
                    heading="Details",
                ),
                ObjectList(
                    [InlinePanel("rounds", heading="Rounds", label="Round")], heading="Rounds"
                ),
                ObjectList([FieldPanel("eligibility")], heading="Eligibility checker"),
                ObjectList([FieldPanel("application_form")], heading="Application form"),
                ObjectList(
                    [InlinePanel("criteria", heading="Scoring criteria", label="Criterion")],
                    heading="Scoring",
                ),
                ObjectList([FieldPanel("end_of_grant_form")], heading="End-of-grant form"),
                ObjectList([FieldPanel("required_documents")], heading="Due diligence"),
                ObjectList(
                    [
                        FieldPanel("payout_method"),
                        FieldPanel("accepts_contributions"),
                        FieldRowPanel(
                            [
                                FieldPanel("contribution_minimum_pence"),
                                FieldPanel("contribution_maximum_pence"),
                            ],
                            heading="Gifts through Stripe",
                        ),
                    ],
                    heading="Money",
                ),
            ],
            base_form_class=FundAdminForm,
        ).bind_to_model(self.model)


class FundingSourceViewSet(SeedbedModelViewSet):
    model = FundingSource
    name = SOURCES
    icon = "pick"
    menu_label = "Funding sources"
    menu_order = 30
    permission_policy = source_policy
    list_display = ["name", Column("kind", accessor="get_kind_display"), "org_id"]
    form_fields = ["name", "kind", "org_id", "user"]


class BoardMeetingForm(WagtailAdminModelForm):
    """Planning a meeting: the boards and rounds of the officer's own localities only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.for_user
        board = self.fields["board"]
        board.queryset = AdvisoryBoard.objects.filter(
            locality__in=localities_for(user)
        ).select_related("locality")
        board.empty_label = "Choose a board"
        rounds = self.fields["round"]
        rounds.queryset = (
            Round.objects.filter(
                fund__in=rules.funds_in_reach(user), fund__route=DecisionRoute.BOARD
            )
            .select_related("fund")
            .order_by("-closes_at")
        )
        rounds.empty_label = "No round (a rolling fund)"
        rounds.help_text = (
            "The round whose applications this meeting decides. Its applications waiting for the "
            "board can then be added to the agenda."
        )
        self.fields["held_at"].help_text = "The date and time the meeting starts."
        if self.instance.pk and self.instance.status != MeetingStatus.PLANNED:
            # The board and round of an open or closed meeting are in its declarations and minutes.
            for name in ("board", "round"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        board, meeting_round = cleaned.get("board"), cleaned.get("round")
        held_at = cleaned.get("held_at")
        if board and meeting_round:
            fund = meeting_round.fund
            if fund.locality_id not in (None, board.locality_id):
                self.add_error(
                    "round",
                    f"{meeting_round} is a round of {fund.area_name}’s fund. Choose a round of a "
                    f"fund for {board.locality} or the whole borough.",
                )
        if self.instance.pk is None and held_at and held_at < timezone.now():
            self.add_error("held_at", "Choose a date and time from now on.")
        return cleaned


def _meeting_when(meeting: BoardMeeting) -> str:
    return date_format(timezone.localtime(meeting.held_at), "j F Y, g:i a")


class BoardMeetingViewSet(SeedbedModelViewSet):
    """Officers plan a board's meetings here; the meeting itself (agenda, declarations, scores,
    votes, decisions, pack and minutes) is run on the board's own pages, at /board/."""

    model = BoardMeeting
    name = MEETINGS
    icon = "group"
    menu_label = "Board meetings"
    menu_order = 25
    permission_policy = meeting_policy
    list_select_related = ("board__locality", "round__fund")
    list_display = [
        "board",
        PlainTitleColumn(
            "held_at",
            label="Meeting (opens its page)",
            accessor=_meeting_when,
            url_name="grants:board-meeting",
        ),
        PlainColumn("round", label="Round", accessor=lambda m: m.round.name if m.round else ""),
        PlainColumn("location", label="Where"),
        PlainColumn("status", label="Status", accessor="get_status_display"),
    ]
    panels = [
        FieldPanel("board"),
        FieldPanel("round"),
        FieldRowPanel([FieldPanel("held_at"), FieldPanel("location")]),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=BoardMeetingForm).bind_to_model(self.model)


class GrantsGroup(ViewSetGroup):
    menu_label = "Grants"
    menu_icon = "tasks"
    menu_order = 150
    items = (ApplicationViewSet, FundViewSet, BoardMeetingViewSet, FundingSourceViewSet)


def all_viewsets() -> list:
    return [GrantsGroup()]


def application_url(application: Application) -> str:
    return reverse(f"{APPLICATIONS}:inspect", args=[application.pk])
