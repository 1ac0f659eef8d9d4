"""The one way any workflow moves: check, change, save, audit, then side effects after commit.

Every domain service that changes a status calls `transition_apply`. A transition declared with
django-fsm-2 states its own permission and conditions; calling it does not check the permission,
so this does, and turns every refusal into a `TransitionRefused` a view can show kindly.
"""

from collections.abc import Callable
from typing import Any

from django.db import models, transaction

from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from core.audit import audit_record
from core.models.audit import AuditAction


class TransitionRefused(Exception):
    """The change cannot happen: wrong state, wrong person, or a condition not met."""

    def __init__(self, message: str, *, status: int = 409, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # A refusal about one answer on a form (an amount outside the limits) names it, so the
        # page can say it by that answer and keep the rest of what was typed.
        self.field = field


class StaleObject(TransitionRefused):
    def __init__(self) -> None:
        super().__init__(
            "This changed while you were looking at it. Reload the page to see the latest version.",
            status=409,
        )


def transition_apply(
    obj: models.Model,
    transition: Callable[..., Any],
    *,
    by: Any,
    reason: str = "",
    state_field: str = "status",
    after_commit: Callable[[], None] | None = None,
    **kwargs: Any,
) -> models.Model:
    """Apply `transition` (a bound FSM method of `obj`) on behalf of `by`.

    `after_commit` is for side effects that may be lost without harm. A Celery task is queued with
    core.outbox.enqueue_after_commit inside the transaction instead: a task published from an
    on-commit callback is lost, and the request fails, if the broker is down at that moment.
    """
    name = transition.__name__
    if not can_proceed(transition):
        raise TransitionRefused(
            f"This can’t be done now: it is {getattr(obj, f'get_{state_field}_display')().lower()}."
        )
    if by is not None and not has_transition_perm(transition, by):
        raise TransitionRefused("You don’t have permission to do that.", status=403)
    from_state = getattr(obj, state_field)
    try:
        with transaction.atomic():
            transition(**kwargs)
            obj.save()
            audit_record(
                actor=by,
                action=AuditAction.TRANSITION,
                obj=obj,
                from_state=str(from_state),
                to_state=str(getattr(obj, state_field)),
                reason=reason,
                detail={"transition": name},
            )
            if after_commit is not None:
                transaction.on_commit(after_commit)
    except ConcurrentTransition as exc:
        raise StaleObject() from exc
    return obj
