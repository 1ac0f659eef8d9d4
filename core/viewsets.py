"""The staff admin for the shared records: localities and their boards, organisations, role
policies, the audit trail and the task outbox, declared as Wagtail viewsets (registered in
core/wagtail_hooks.py).

Who may do what is decided once per model, by its permission policy: the model permissions a
person's roles grant, over only the records of the localities they may see
(core.permissions.localities_for). Every list, page, form and history below takes its records
from that policy, so changing the id in a URL to another locality's record finds nothing (404),
and the refusal is written to the audit trail. Saves and deletes made here are audited too.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.template.context_processors import csrf
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList, Panel, TabbedInterface
from wagtail.admin.ui.tables import Column, RelatedObjectsColumn, Table, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from core.admin_frame import RememberedFrameMixin
from core.admin_listing import PlainColumn, PlainTable
from core.audit import audit_history, audit_record, audit_view
from core.enums import BoardRole, LegalForm
from core.models import (
    AdvisoryBoard,
    AuditEntry,
    BoardMembership,
    Locality,
    LocalityStaff,
    Organisation,
    OutboxTask,
    PrivateDocument,
    RolePolicy,
    User,
)
from core.models.audit import AuditAction
from core.money import format_pence
from core.permissions import can_view_document, in_reach_or_404, localities_for, sees_all_localities
from core.spreadsheets import csv_safe

ANY_ACTION = ("add", "change", "delete", "view")
HISTORY_PANEL_LENGTH = 20

# Viewset names: the URL prefix under /admin/ and the URL namespace of each screen.
LOCALITIES = "localities"
BOARDS = "advisory-boards"
BOARD_MEMBERS = "board-members"
STAFF_PLACEMENTS = "staff-placements"
ORGANISATIONS = "organisations"
ROLE_POLICIES = "role-policies"
AUDIT_TRAIL = "audit-trail"
QUEUED_TASKS = "queued-tasks"


# Permission policies ------------------------------------------------------------------------------


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, with two additions: some actions can be refused to everyone
    (superusers included), and each person acts only on the records in their `scope`."""

    def __init__(self, model: type[models.Model], *, denied_actions: Iterable[str] = ()) -> None:
        super().__init__(model)
        self.denied_actions = frozenset(denied_actions)

    def scope(self, user: Any) -> QuerySet:
        """The records this person may act on at all, whatever the action."""
        return self.model._default_manager.all()

    def user_has_permission(self, user, action):
        return action not in self.denied_actions and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = set(actions) - self.denied_actions
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.scope(user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scope(user)


class LocalityScopedPermissionPolicy(ScopedPermissionPolicy):
    """Records belong to localities; staff act only on those of the localities they are placed in.

    `locality_lookup` leads from the model to its locality ("pk" for a locality itself,
    "localities" for an organisation, "board__locality" for a board membership). People with
    core.view_all_localities, and superusers, see every record, including organisations not yet
    placed in any locality.
    """

    #: Every policy of this kind, so that the audit trail is scoped the same way as the records.
    every_policy: ClassVar[list["LocalityScopedPermissionPolicy"]] = []

    def __init__(self, model: type[models.Model], *, locality_lookup: str, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self.locality_lookup = locality_lookup
        LocalityScopedPermissionPolicy.every_policy.append(self)

    def scope(self, user: Any) -> QuerySet:
        records = self.model._default_manager.all()
        if sees_all_localities(user):
            return records
        in_patch = self.model._default_manager.filter(
            **{f"{self.locality_lookup}__in": localities_for(user)}
        ).values("pk")
        return records.filter(pk__in=in_patch)


def _ids_as_text(queryset: QuerySet) -> QuerySet:
    # AuditEntry.object_id is text, so that any model's key fits.
    return queryset.annotate(_id_text=Cast("pk", models.CharField())).values("_id_text")


class AuditTrailPermissionPolicy(ScopedPermissionPolicy):
    """The audit trail is read, never written, through the admin: nobody, not even a superuser,
    may add, change or delete an entry. People without borough-wide access read only their own
    actions and the entries about records in their patch (any model with a locality-scoped
    policy: localities, boards, organisations, documents, and whatever other apps add)."""

    def __init__(self) -> None:
        super().__init__(AuditEntry, denied_actions=("add", "change", "delete"))

    def scope(self, user: Any) -> QuerySet:
        entries = AuditEntry.objects.all()
        if sees_all_localities(user):
            return entries
        in_patch = Q(actor_id=user.pk)
        for policy in LocalityScopedPermissionPolicy.every_policy:
            in_patch |= Q(
                content_type=ContentType.objects.get_for_model(policy.model),
                object_id__in=_ids_as_text(policy.scope(user)),
            )
        return entries.filter(in_patch)


locality_policy = LocalityScopedPermissionPolicy(Locality, locality_lookup="pk")
advisory_board_policy = LocalityScopedPermissionPolicy(AdvisoryBoard, locality_lookup="locality")
board_membership_policy = LocalityScopedPermissionPolicy(
    BoardMembership, locality_lookup="board__locality"
)
locality_staff_policy = LocalityScopedPermissionPolicy(LocalityStaff, locality_lookup="locality")
organisation_policy = LocalityScopedPermissionPolicy(Organisation, locality_lookup="localities")
# Documents have no admin screen of their own (they show on their organisation's page); this
# policy places their audit entries in their organisation's localities.
document_policy = LocalityScopedPermissionPolicy(
    PrivateDocument, locality_lookup="organisation__localities"
)
# Deleting a role's policy would quietly drop its two-step sign-in rule: change it instead.
role_policy_permissions = ScopedPermissionPolicy(RolePolicy, denied_actions=("delete",))
audit_trail_policy = AuditTrailPermissionPolicy()
# The outbox is written by the code that queues tasks and read here; nobody edits it by hand.
outbox_policy = ScopedPermissionPolicy(OutboxTask, denied_actions=("add", "change", "delete"))


def can_read_audit_trail(user: Any) -> bool:
    return audit_trail_policy.user_has_permission(user, "view")


# Read-only panels: the people, files and history shown on a record's page --------------------------

PanelContext = Callable[[Any, HttpRequest], dict[str, Any]]


class RecordPanel(Panel):
    """A read-only part of a record's page, such as its members or its history. Shown on the
    edit and inspect pages of a saved record, to the people `shown_to` allows."""

    def __init__(
        self,
        template: str,
        get_context: PanelContext,
        *,
        shown_to: Callable[[Any], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.template = template
        self.get_context = get_context
        self.shown_to = shown_to

    def clone_kwargs(self) -> dict[str, Any]:
        kwargs = super().clone_kwargs()
        kwargs.update(template=self.template, get_context=self.get_context, shown_to=self.shown_to)
        return kwargs

    class BoundPanel(Panel.BoundPanel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.template_name = self.panel.template

        def is_shown(self) -> bool:
            if self.instance is None or self.instance.pk is None or self.request is None:
                return False
            return self.panel.shown_to is None or self.panel.shown_to(self.request.user)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["request"] = self.request
            # A panel is rendered from a plain dict, without the request's context processors,
            # so the CSRF token its forms need is added here.
            context.update(csrf(self.request))
            context.update(self.panel.get_context(self.instance, self.request))
            return context


def _url_if(allowed: bool, name: str, *args: Any, query: str = "") -> str | None:
    if not allowed:
        return None
    url = reverse(name, args=[quote(arg) for arg in args])
    return f"{url}?{query}" if query else url


def history_panel(entries: QuerySet[AuditEntry], history_url: str) -> dict[str, Any]:
    """The latest of what was done to a record, for its page. Who only looked at it is in the
    full history at `history_url`, with filters."""
    entries = entries.exclude(action=AuditAction.VIEW)
    shown = list(entries[:HISTORY_PANEL_LENGTH])
    # The trail keeps a person as an id (erasing them never rewrites it); staff reading it see
    # who that is today, where the person still has an account.
    names = dict(
        get_user_model()
        .objects.filter(pk__in={entry.actor_id for entry in shown if entry.actor_id})
        .values_list("pk", "full_name")
    )
    for entry in shown:
        entry.actor_name = names.get(entry.actor_id) or entry.actor_label
    return {"entries": shown, "entry_count": entries.count(), "history_url": history_url}


def history_context(history_url_name: str) -> PanelContext:
    def get_context(obj: models.Model, request: HttpRequest) -> dict[str, Any]:
        return history_panel(audit_history(obj), reverse(history_url_name, args=[quote(obj.pk)]))

    return get_context


def organisation_members(organisation: Organisation, request: HttpRequest) -> dict[str, Any]:
    return {
        "memberships": organisation.memberships.select_related("user").order_by(
            "user__full_name", "user__email"
        )
    }


def organisation_documents(organisation: Organisation, request: HttpRequest) -> dict[str, Any]:
    # Each link goes to the permission-checked download view, which checks (and audits) again.
    documents = [
        (
            document,
            _url_if(
                can_view_document(request.user, document), "core:document_download", document.pk
            ),
        )
        for document in organisation.documents.select_related("organisation")
    ]
    return {
        "documents": documents,
        "downloads_refused": any(url is None for _, url in documents),
    }


def board_members(board: AdvisoryBoard | None, request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if board is None or not board_membership_policy.user_has_permission(user, "view"):
        return {"memberships": None}
    can_change = board_membership_policy.user_has_permission(user, "change")
    return {
        "memberships": [
            (membership, _url_if(can_change, f"{BOARD_MEMBERS}:edit", membership.pk))
            for membership in board.memberships.select_related("user").order_by(
                "role", "user__full_name"
            )
        ],
        "add_member_url": _url_if(
            board_membership_policy.user_has_permission(user, "add"),
            f"{BOARD_MEMBERS}:add",
            query=f"board={board.pk}",
        ),
    }


def locality_board(locality: Locality, request: HttpRequest) -> dict[str, Any]:
    user = request.user
    board = AdvisoryBoard.objects.filter(locality=locality).first()
    if board is None:
        add_url = _url_if(
            advisory_board_policy.user_has_permission(user, "add"),
            f"{BOARDS}:add",
            query=f"locality={locality.pk}",
        )
        return {"board": None, "add_board_url": add_url}
    edit_url = _url_if(
        advisory_board_policy.user_has_permission(user, "change"), f"{BOARDS}:edit", board.pk
    )
    return {"board": board, "edit_board_url": edit_url, **board_members(board, request)}


def locality_staff(locality: Locality, request: HttpRequest) -> dict[str, Any]:
    user = request.user
    can_change = locality_staff_policy.user_has_permission(user, "change")
    return {
        "placements": [
            (placement, _url_if(can_change, f"{STAFF_PLACEMENTS}:edit", placement.pk))
            for placement in locality.staff.select_related("user").order_by(
                "user__full_name", "user__email"
            )
        ],
        "add_placement_url": _url_if(
            locality_staff_policy.user_has_permission(user, "add"),
            f"{STAFF_PLACEMENTS}:add",
            query=f"locality={locality.pk}",
        ),
    }


# Forms: choices limited to the localities the person may work with --------------------------------


def _localities_of(user: Any) -> QuerySet[Locality]:
    return localities_for(user) if user is not None else Locality.objects.none()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def _people(*, current_id: int | None, only: Q | None = None) -> QuerySet[User]:
    people = User.objects.filter(is_active=True)
    if only is not None:
        people = people.filter(only)
    return User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current_id)).order_by(
        "full_name", "email"
    )


STAFF_ROLE_HOLDERS = (
    Q(is_superuser=True)
    | Q(
        groups__permissions__content_type__app_label="wagtailadmin",
        groups__permissions__codename="access_admin",
    )
    | Q(
        user_permissions__content_type__app_label="wagtailadmin",
        user_permissions__codename="access_admin",
    )
)


class OrganisationAdminForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localities = self.fields["localities"]
        localities.queryset = _localities_of(self.for_user)
        localities.help_text = "The areas the group works in. Staff placed there see its records."

    def clean_localities(self) -> QuerySet[Locality]:
        # Links to localities this person cannot see are not theirs to remove: keep them.
        chosen = self.cleaned_data["localities"]
        if self.instance.pk is None:
            return chosen
        kept = self.instance.localities.exclude(pk__in=self.fields["localities"].queryset)
        return Locality.objects.filter(Q(pk__in=chosen.values("pk")) | Q(pk__in=kept.values("pk")))


class AdvisoryBoardForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locality = self.fields["locality"]
        localities = _localities_of(self.for_user)
        if self.instance.pk is None:
            locality.queryset = localities.filter(board__isnull=True)
            locality.help_text = "Each locality has one advisory board."
        else:
            locality.queryset = Locality.objects.filter(pk=self.instance.locality_id)
            locality.disabled = True


class BoardMembershipForm(WagtailAdminModelForm):
    user = PersonChoiceField(queryset=User.objects.none(), label="Person")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = AdvisoryBoard.objects.filter(
            locality__in=_localities_of(self.for_user)
        ).select_related("locality")
        person = self.fields["user"]
        person.queryset = _people(current_id=self.instance.user_id)
        person.help_text = (
            "Board members use two-step sign-in: they set it up when next signing in."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined and left and left < joined:
            self.add_error(
                "left_on", "The date they left must be on or after the date they joined."
            )
        return cleaned


class LocalityStaffForm(WagtailAdminModelForm):
    user = PersonChoiceField(queryset=User.objects.none(), label="Staff member")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = _localities_of(self.for_user)
        person = self.fields["user"]
        person.queryset = _people(current_id=self.instance.user_id, only=STAFF_ROLE_HOLDERS)
        person.help_text = "People with a staff role. Once placed, they see the locality's records."


class RolePolicyCreateForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(policy__isnull=True).order_by("name")
        self.fields["group"].label = "Role"
        self.fields["group"].help_text = "Roles are set up under Settings → Groups."


# Filters --------------------------------------------------------------------------------------------


def _request_localities(request: HttpRequest | None) -> QuerySet[Locality]:
    return _localities_of(request.user if request is not None else None)


def _request_boards(request: HttpRequest | None) -> QuerySet[AdvisoryBoard]:
    return AdvisoryBoard.objects.filter(locality__in=_request_localities(request))


class OrganisationFilterSet(WagtailFilterSet):
    legal_form = django_filters.MultipleChoiceFilter(
        label="Legal form", choices=LegalForm.choices, widget=forms.CheckboxSelectMultiple
    )
    localities = django_filters.ModelMultipleChoiceFilter(
        label="Locality",
        queryset=_request_localities,
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )

    class Meta:
        model = Organisation
        fields = ["legal_form", "localities"]


class BoardMembershipFilterSet(WagtailFilterSet):
    board = django_filters.ModelChoiceFilter(label="Board", queryset=_request_boards)
    role = django_filters.ChoiceFilter(label="Role", choices=BoardRole.choices)

    class Meta:
        model = BoardMembership
        fields = ["board", "role"]


class LocalityStaffFilterSet(WagtailFilterSet):
    locality = django_filters.ModelChoiceFilter(label="Locality", queryset=_request_localities)

    class Meta:
        model = LocalityStaff
        fields = ["locality"]


class AuditHistoryFilterSet(WagtailFilterSet):
    action = django_filters.MultipleChoiceFilter(
        label="Action", choices=AuditAction.choices, widget=forms.CheckboxSelectMultiple
    )
    at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = AuditEntry
        fields = ["action", "at"]


class OutboxTaskFilterSet(WagtailFilterSet):
    waiting = django_filters.BooleanFilter(
        field_name="dispatched_at", lookup_expr="isnull", label="Still waiting for the broker"
    )
    created_at = django_filters.DateFromToRangeFilter(label="Queued", widget=DateRangePickerWidget)

    class Meta:
        model = OutboxTask
        fields = ["waiting", "created_at"]


class AuditEntryFilterSet(AuditHistoryFilterSet):
    actor_id = django_filters.NumberFilter(
        label="Actor id", help_text="The number in “user:123”: everything one person did."
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "at", "actor_id"]


# Views ----------------------------------------------------------------------------------------------


class ScopedObjectMixin:
    """Finds a view's record only among those its permission policy lets this person act on.

    Anything else is 404, whether or not it exists; if it does exist, the refusal is audited.
    """

    scope_actions: Sequence[str] = ANY_ACTION
    model: type[models.Model]
    request: HttpRequest
    permission_policy: Any

    def scoped_queryset(self) -> QuerySet:
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.scope_actions
        )

    def get_scoped_object(self, pk: Any) -> models.Model:
        return in_reach_or_404(self.request.user, self.scoped_queryset(), pk)


class AuditedViewMixin:
    """Records that someone looked at the record: a sensitive read (see core.audit)."""

    audit_views = False

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)  # type: ignore[misc]
        if self.audit_views:
            audit_view(actor=request.user, obj=self.object)  # type: ignore[attr-defined]
        return response


class ScopedIndexView(RememberedFrameMixin, generic.IndexView):
    list_select_related: Sequence[str] = ()
    list_prefetch_related: Sequence[str] = ()
    list_annotations: dict[str, Any] = {}

    @cached_property
    def table_class(self):
        # Rows written in Python when every column is plain (core.admin_listing); lists that can
        # be reordered by dragging keep Wagtail's table.
        table_class = super().table_class
        return PlainTable if table_class is Table else table_class

    def get_base_queryset(self):
        records = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.any_permission_required
        )
        if self.list_select_related:
            records = records.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            records = records.prefetch_related(*self.list_prefetch_related)
        return records.annotate(**self.list_annotations)

    def preprocess_field_value(self, field, value, export_format):
        # Wagtail keeps formulas out of XLSX cells (as text cells) but not out of CSV. Both get
        # the apostrophe, as every other export here does: a cell stays text when an officer
        # edits it or saves the sheet as CSV and opens it again.
        return csv_safe(super().preprocess_field_value(field, value, export_format))


class AuditedCreateView(generic.CreateView):
    initial_from_query: Sequence[str] = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.initial_from_query:
            if value := self.request.GET.get(name):
                initial[name] = value
        return initial

    def save_instance(self):
        instance = super().save_instance()
        audit_record(
            actor=self.request.user,
            action=AuditAction.CREATE,
            obj=instance,
            detail={"via": "admin"},
        )
        return instance


class AuditedEditView(AuditedViewMixin, ScopedObjectMixin, generic.EditView):
    scope_actions = ("change",)

    def get_object(self, queryset=None):
        return self.get_scoped_object(self.object_pk)

    def save_instance(self):
        instance = super().save_instance()
        # Which fields changed, never their values: the trail holds no contents.
        audit_record(
            actor=self.request.user,
            action=AuditAction.UPDATE,
            obj=instance,
            detail={"via": "admin", "changed": sorted(self.form.changed_data)},
        )
        return instance


class AuditedDeleteView(ScopedObjectMixin, generic.DeleteView):
    scope_actions = ("delete",)

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.get_scoped_object(unquote(str(self.kwargs[self.pk_url_kwarg])))

    def delete_action(self):
        with transaction.atomic():
            audit_record(
                actor=self.request.user,
                action=AuditAction.TRANSITION,
                obj=self.object,
                to_state="deleted",
                detail={"via": "admin"},
            )
            super().delete_action()


class RecordInspectView(AuditedViewMixin, ScopedObjectMixin, generic.InspectView):
    """A read-only page for people who may see a record but not change it."""

    template_name = "core/admin/inspect.html"
    record_panels: Sequence[Panel] = ()
    history_url_name = None

    def get_object(self, queryset=None):
        return self.get_scoped_object(unquote(str(self.pk)))

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.history_url_name and can_read_audit_trail(self.request.user):
            buttons.append(
                Button(
                    "History",
                    url=reverse(self.history_url_name, args=[quote(self.object.pk)]),
                    icon_name="history",
                    priority=40,
                )
            )
        return buttons

    def get_field_label(self, field_name, field):
        # Money is kept in pence and shown in pounds: its label doesn't say "pence".
        return super().get_field_label(field_name, field).removesuffix(" pence")

    def get_field_display_value(self, field_name, field):
        if field_name.endswith("_pence"):
            return format_pence(getattr(self.object, field_name))
        return super().get_field_display_value(field_name, field)

    def get_fields_context(self):
        # A summary says what is set: an empty field (no feedback before a decline) is left out.
        return [row for row in super().get_fields_context() if row["value"] not in (None, "")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panels = (
            panel.get_bound_panel(instance=self.object, request=self.request, form=None)
            for panel in self.record_panels
        )
        context["record_panels"] = [panel for panel in panels if panel.is_shown()]
        return context


class AuditHistoryView(ScopedObjectMixin, HistoryView):
    """A record's history, from the audit trail rather than Wagtail's own log."""

    any_permission_required = ANY_ACTION
    filterset_class = AuditHistoryFilterSet
    inspect_url_name = None

    def get_object(self):
        return self.get_scoped_object(self.pk)

    def dispatch(self, request, *args, **kwargs):
        if not can_read_audit_trail(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def verbose_name_plural(self):
        return "audit entries"

    @cached_property
    def columns(self):
        return audit_columns(with_record=False)

    def get_base_queryset(self):
        return audit_history(self.object)

    def get_edit_url(self, instance):
        if self.edit_url_name and self.user_has_permission_for_instance("change", instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))
        if self.inspect_url_name:
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))
        return None

    @cached_property
    def header_buttons(self):
        url = self.get_edit_url(self.object)
        return (
            [HeaderButton(label="Back to the record", url=url, icon_name="arrow-left")]
            if url
            else []
        )


def _change(entry: AuditEntry) -> str:
    if entry.from_state or entry.to_state:
        return f"{entry.from_state or '–'} → {entry.to_state or '–'}"
    return ""


def _when(entry: AuditEntry) -> str:
    return date_format(localtime(entry.at), "j M Y, H:i:s")


def audit_columns(*, with_record: bool) -> list[Column]:
    columns = [
        Column("at", label="When", accessor=_when, sort_key="at", width="18%"),
        Column("action", label="What happened", accessor="get_action_display"),
        Column("actor_label", label="Who"),
        Column("change", label="Change", accessor=_change),
        Column("reason", label="Why"),
    ]
    if with_record:
        columns.insert(3, Column("object_label", label="Record"))
    return columns


# Viewsets -------------------------------------------------------------------------------------------


class SeedbedModelViewSet(ModelViewSet):
    """What every staff screen here shares: records come through the model's permission policy
    (declared as `permission_policy`, registered in wagtail_hooks.py), creates, changes and deletes
    are audited, and "History" means the audit trail. Copying and Wagtail's usage count are off."""

    permission_policy: ScopedPermissionPolicy
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    delete_view_class = AuditedDeleteView
    inspect_view_class = RecordInspectView
    history_view_class = AuditHistoryView
    list_per_page = 50
    #: Passed to the index view, to keep the list at a fixed number of queries.
    list_select_related: Sequence[str] = ()
    list_prefetch_related: Sequence[str] = ()
    list_annotations: dict[str, Any] = {}
    #: Query parameters that pre-fill the add form, e.g. ?locality=3 from a locality's page.
    initial_from_query: Sequence[str] = ()

    def get_record_panels(self) -> list[RecordPanel]:
        """Read-only sections shown on both the edit page and the inspect page."""
        return []

    def history_panel(self) -> RecordPanel:
        return RecordPanel(
            "core/admin/panels/history.html",
            history_context(self.get_url_name("history")),
            shown_to=can_read_audit_trail,
            heading="History",
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            list_select_related=self.list_select_related,
            list_prefetch_related=self.list_prefetch_related,
            list_annotations=self.list_annotations,
            **kwargs,
        )

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(initial_from_query=self.initial_from_query, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            record_panels=[panel.bind_to_model(self.model) for panel in self.get_record_panels()],
            **kwargs,
        )

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "usage"]


# People and places


class ReadOnlyViewSet(SeedbedModelViewSet):
    """A list that nobody edits here (the audit trail, the outbox, gifts): no add, edit, delete or
    history pages, only the view permission to give, and each record's page if `inspectable`."""

    inspectable = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspectable:
            patterns.append(path("inspect/<int:pk>/", self.inspect_view, name="inspect"))
        return patterns

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            codename=get_permission_codename("view", self.model_opts),
        )


class LocalityViewSet(SeedbedModelViewSet):
    model = Locality
    name = LOCALITIES
    icon = "site"
    menu_label = "Localities"
    permission_policy = locality_policy
    list_select_related = ("board",)
    list_annotations = {
        "organisation_count": Count("organisations", distinct=True),
        "staff_count": Count("staff", distinct=True),
    }
    inspect_view_enabled = True
    inspect_view_fields = ["name", "slug", "description"]
    list_display = [
        "name",
        Column("board", label="Advisory board", accessor="board.name"),
        Column("organisation_count", label="Organisations"),
        Column("staff_count", label="Staff placed"),
    ]
    search_fields = ["name"]
    search_backend_name = None

    def get_record_panels(self):
        return [
            RecordPanel(
                "core/admin/panels/locality_board.html", locality_board, heading="Advisory board"
            ),
            RecordPanel(
                "core/admin/panels/locality_staff.html",
                locality_staff,
                shown_to=lambda user: locality_staff_policy.user_has_permission(user, "view"),
                heading="Staff placed here",
            ),
            self.history_panel(),
        ]

    def get_edit_handler(self):
        board, staff, history = self.get_record_panels()
        return TabbedInterface(
            [
                ObjectList(
                    [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")],
                    heading="Details",
                ),
                ObjectList([board, staff], heading="Board and staff"),
                ObjectList([history], heading="History"),
            ]
        ).bind_to_model(self.model)


class AdvisoryBoardViewSet(SeedbedModelViewSet):
    model = AdvisoryBoard
    name = BOARDS
    icon = "group"
    menu_label = "Advisory boards"
    permission_policy = advisory_board_policy
    list_select_related = ("locality",)
    list_annotations = {"member_count": Count("memberships")}
    initial_from_query = ("locality",)
    inspect_view_enabled = True
    inspect_view_fields = ["locality", "name", "quorum"]
    list_display = [
        "name",
        "locality",
        Column("quorum", label="Quorum"),
        Column("member_count", label="Members"),
    ]

    def get_record_panels(self):
        return [
            RecordPanel("core/admin/panels/board_members.html", board_members, heading="Members")
        ]

    def get_edit_handler(self):
        (members,) = self.get_record_panels()
        return ObjectList(
            [FieldPanel("locality"), FieldPanel("name"), FieldPanel("quorum"), members],
            base_form_class=AdvisoryBoardForm,
        ).bind_to_model(self.model)


class BoardMembershipViewSet(SeedbedModelViewSet):
    model = BoardMembership
    name = BOARD_MEMBERS
    icon = "user"
    menu_label = "Board members"
    permission_policy = board_membership_policy
    list_select_related = ("user", "board__locality")
    initial_from_query = ("board",)
    list_display = ["user", "board", "role", "joined_on", "left_on"]
    filterset_class = BoardMembershipFilterSet
    search_fields = ["user__full_name", "user__email"]
    search_backend_name = None
    panels = [
        FieldPanel("board"),
        FieldPanel("user"),
        FieldPanel("role"),
        FieldPanel("joined_on"),
        FieldPanel("left_on"),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=BoardMembershipForm).bind_to_model(
            self.model
        )


class LocalityStaffViewSet(SeedbedModelViewSet):
    model = LocalityStaff
    name = STAFF_PLACEMENTS
    icon = "user"
    menu_label = "Staff placements"
    permission_policy = locality_staff_policy
    list_select_related = ("user", "locality")
    initial_from_query = ("locality",)
    list_display = ["user", "locality"]
    filterset_class = LocalityStaffFilterSet
    search_fields = ["user__full_name", "user__email"]
    search_backend_name = None
    ordering = ["locality__name", "user__full_name"]

    def get_edit_handler(self):
        return ObjectList(
            [FieldPanel("locality"), FieldPanel("user")], base_form_class=LocalityStaffForm
        ).bind_to_model(self.model)


class PeopleAndPlacesGroup(ViewSetGroup):
    menu_label = "People and places"
    menu_icon = "site"
    menu_order = 210
    items = (LocalityViewSet, AdvisoryBoardViewSet, BoardMembershipViewSet, LocalityStaffViewSet)


# Organisations


class OrganisationEditView(AuditedEditView):
    audit_views = True


class OrganisationInspectView(RecordInspectView):
    audit_views = True


class OrganisationViewSet(SeedbedModelViewSet):
    model = Organisation
    name = ORGANISATIONS
    icon = "group"
    menu_label = "Organisations"
    add_to_admin_menu = True
    menu_order = 200
    permission_policy = organisation_policy
    list_prefetch_related = ("localities",)
    edit_view_class = OrganisationEditView
    inspect_view_class = OrganisationInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "legal_form",
        "org_id",
        "charity_number",
        "company_number",
        "address",
        "postcode",
        "website",
        "description",
        "localities",
        "created_at",
    ]
    list_display = [
        "name",
        "legal_form",
        Column("org_id", label="Org id"),
        RelatedObjectsColumn("localities", label="Localities"),
    ]
    filterset_class = OrganisationFilterSet
    search_fields = ["name", "charity_number", "company_number", "postcode"]
    search_backend_name = None

    def get_record_panels(self):
        return [
            RecordPanel(
                "core/admin/panels/organisation_members.html",
                organisation_members,
                heading="Members",
            ),
            RecordPanel(
                "core/admin/panels/organisation_documents.html",
                organisation_documents,
                heading="Documents",
            ),
            self.history_panel(),
        ]

    def get_edit_handler(self):
        members, documents, history = self.get_record_panels()
        return TabbedInterface(
            [
                ObjectList(
                    [
                        FieldPanel("name"),
                        FieldPanel("legal_form"),
                        FieldPanel("charity_number"),
                        FieldPanel("company_number"),
                        FieldPanel("address"),
                        FieldPanel("postcode"),
                        FieldPanel("website"),
                        FieldPanel("description"),
                        FieldPanel("localities", widget=forms.CheckboxSelectMultiple),
                    ],
                    heading="Details",
                ),
                ObjectList([members, documents], heading="Members and documents"),
                ObjectList([history], heading="History"),
            ],
            base_form_class=OrganisationAdminForm,
        ).bind_to_model(self.model)


# Role policies


def _mfa_rule(policy: RolePolicy) -> str:
    return "Required" if policy.requires_mfa else "Not required"


class RolePolicyViewSet(SeedbedModelViewSet):
    model = RolePolicy
    name = ROLE_POLICIES
    icon = "key"
    menu_label = "Role policies"
    add_to_settings_menu = True
    permission_policy = role_policy_permissions
    list_select_related = ("group",)
    list_display = [
        "__str__",
        "slug",
        Column("requires_mfa", label="Two-step sign-in", accessor=_mfa_rule),
    ]
    # The group and slug name the role in code (core.roles.role_group): set once, never changed.
    panels = [
        FieldPanel("description"),
        FieldPanel("requires_mfa", heading="Needs two-step sign-in"),
    ]
    add_panels = [
        FieldPanel("group"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("requires_mfa", heading="Needs two-step sign-in"),
    ]

    def get_add_view_kwargs(self, **kwargs):
        panel = ObjectList(self.add_panels, base_form_class=RolePolicyCreateForm).bind_to_model(
            self.model
        )
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_record_panels(self):
        return [self.history_panel()]

    def get_edit_handler(self):
        return ObjectList([*self.panels, *self.get_record_panels()]).bind_to_model(self.model)

    def get_permissions_to_register(self):
        return (
            super()
            .get_permissions_to_register()
            .exclude(codename=get_permission_codename("delete", self.model_opts))
        )


# The audit trail


class AuditTrailViewSet(ReadOnlyViewSet):
    """Read-only: only the list and each entry's page exist, and the policy refuses add, change
    and delete to everyone, so no admin URL can write to the trail."""

    model = AuditEntry
    name = AUDIT_TRAIL
    icon = "history"
    menu_label = "Audit trail"
    menu_hook = "register_reports_menu_item"
    permission_policy = audit_trail_policy
    inspect_view_enabled = True
    list_display = [
        TitleColumn(
            "at", label="When", accessor=_when, sort_key="at", url_name=f"{AUDIT_TRAIL}:inspect"
        ),
        *audit_columns(with_record=True)[1:],
    ]
    filterset_class = AuditEntryFilterSet
    list_export = [
        "at",
        "actor_id",
        "actor_label",
        "action",
        "object_label",
        "from_state",
        "to_state",
        "reason",
    ]

    inspectable = True


# Queued tasks (core.outbox)


def _queued(task: OutboxTask) -> str:
    return date_format(localtime(task.created_at), "j M Y, H:i:s")


def _dispatched(task: OutboxTask) -> str:
    if task.dispatched_at is None:
        return "Waiting"
    return date_format(localtime(task.dispatched_at), "j M Y, H:i:s")


class OutboxTaskViewSet(ReadOnlyViewSet):
    """Read-only: whether each task reached the broker, for an operator after a broker outage.
    The arguments are not shown: they include email addresses and whole messages."""

    model = OutboxTask
    name = QUEUED_TASKS
    icon = "tasks"
    menu_label = "Queued tasks"
    add_to_settings_menu = True
    permission_policy = outbox_policy
    filterset_class = OutboxTaskFilterSet
    list_display = [
        PlainColumn("task_name", label="Task"),
        PlainColumn("created_at", label="Queued", accessor=_queued, sort_key="created_at"),
        PlainColumn("dispatched_at", label="Sent to the broker", accessor=_dispatched),
        PlainColumn("attempts", label="Attempts"),
        PlainColumn("last_error", label="Last error"),
    ]


def all_viewsets() -> tuple[Any, ...]:
    """The admin screens, in menu order, as wagtail_hooks.py registers them."""
    return (
        PeopleAndPlacesGroup(),
        OrganisationViewSet(),
        RolePolicyViewSet(),
        AuditTrailViewSet(),
        OutboxTaskViewSet(),
    )
