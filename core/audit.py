"""Writing to the audit trail. Every state change and every sensitive read comes through here."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models.audit import AuditAction, AuditEntry


def actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_label": "anonymous" if actor is not None else "system"}
    return {"actor_id": actor.pk, "actor_label": actor.audit_label}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. `obj` is labelled by model and id only, never by its contents."""
    fields: dict[str, Any] = {
        **actor_fields(actor),
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "detail": detail or {},
    }
    if obj is not None:
        fields["content_type"] = ContentType.objects.get_for_model(obj)
        fields["object_id"] = str(obj.pk)
        fields["object_label"] = f"{obj._meta.verbose_name} #{obj.pk}"
    return AuditEntry.objects.create(**fields)


def audit_view(*, actor: Any, obj: models.Model) -> AuditEntry:
    return audit_record(actor=actor, action=AuditAction.VIEW, obj=obj)


def audit_denied(
    *, actor: Any, obj: models.Model | None = None, detail: dict | None = None
) -> None:
    import logging

    logging.getLogger("seedbed.security").warning(
        "access refused actor=%s object=%s",
        actor_fields(actor)["actor_label"],
        f"{obj._meta.label}#{obj.pk}" if obj is not None else "-",
    )
    audit_record(actor=actor, action=AuditAction.DENIED, obj=obj, detail=detail)


def audit_history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.for_object(obj)
