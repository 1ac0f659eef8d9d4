"""Who may see and do what, for the shared records. One rule, one place."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from core.access import remembered
from core.audit import audit_denied
from core.models import BoardMembership, Locality, Organisation, PrivateDocument, User


def user_requires_mfa(user: User) -> bool:
    """Staff, board members and every role whose policy says so must use two-step sign-in.

    Asked on every page until they have signed in with it. The answer is remembered between
    requests (core.access) and forgotten as soon as their board seats, their roles or a role's
    policy change, so a role given today still takes effect on their next page."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return remembered(user, "requires_mfa", lambda: _seat_or_role_requires_mfa(user))


def _seat_or_role_requires_mfa(user: User) -> bool:
    if user.board_memberships.exists():
        return True
    return user.groups.filter(policy__requires_mfa=True).exists()


def user_has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def organisations_for(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def sees_all_localities(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_perm("core.view_all_localities")
    )


def localities_for(user: User) -> QuerySet[Locality]:
    """The localities whose records a staff member may see."""
    if not user.is_authenticated or not user.is_active:
        return Locality.objects.none()
    if sees_all_localities(user):
        return Locality.objects.all()
    return Locality.objects.filter(staff__user=user)


def can_view_document(user: User, document: PrivateDocument) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if document.organisation.memberships.filter(user=user).exists():
        return True
    # Staff see a group's files where the group works, or where it has applied for a grant
    # (its due-diligence papers and report photos are for the officers deciding and monitoring).
    reach = localities_for(user)
    return user.has_perm("core.view_privatedocument") and (
        sees_all_localities(user)
        or reach.filter(organisations=document.organisation).exists()
        or document.organisation.applications.filter(fund__locality__in=reach).exists()
    )


def current_board_memberships(user: User) -> QuerySet[BoardMembership]:
    """The boards a person sits on today: a member who has left sees none of their papers."""
    if not user.is_authenticated:
        return BoardMembership.objects.none()
    today = timezone.localdate()
    return BoardMembership.objects.filter(user=user).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=today)
    )


def can_manage_organisation(user: User, organisation: Organisation) -> bool:
    return user.is_authenticated and organisation.memberships.filter(user=user).exists()


def in_reach_or_404(user: User, scope: QuerySet, pk: Any, **detail: Any) -> Any:
    """The record `pk` from `scope` (what this person may reach). Otherwise 404, the same whether
    or not it exists, with the refusal in the audit trail if it does: changing an id in the
    address shows nothing of anyone else's records."""
    record = scope.filter(pk=pk).first()
    if record is None:
        existing = scope.model._default_manager.filter(pk=pk).first()
        if existing is not None:
            audit_denied(actor=user, obj=existing, detail={"via": "admin", **detail})
        raise Http404(f"No {scope.model._meta.verbose_name} found.")
    return record


def signed_in_or_not_found(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page about one record (an application, a meeting, a group, a file): someone not
    signed in is told it is not found, as is a signed-in person it does not belong to, whether or
    not the record exists. An id in an address then says nothing to anyone. The not-found page
    offers to sign in and come back, and a session that has just timed out is still sent to sign
    in (core.middleware), so nobody with a right to the page is stranded."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            logging.getLogger("seedbed.security").info(
                "record page asked for without signing in path=%s", request.path
            )
            raise Http404("Not found.")
        return view(request, *args, **kwargs)

    return wrapped
