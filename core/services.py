"""Every write to the shared records goes through one of these."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.audit import audit_record
from core.enums import OrganisationRole
from core.models import Organisation, OrganisationMembership, PrivateDocument, User
from core.models.audit import AuditAction
from core.uploads import DOCUMENT_TYPES, check_upload


def document_store(
    *,
    organisation: Organisation,
    kind: str,
    uploaded: UploadedFile,
    by: User,
    expires_on=None,
    allowed: frozenset[str] = DOCUMENT_TYPES,
) -> PrivateDocument:
    """Check an upload by its content and keep it privately against the organisation. `allowed`
    narrows the types taken (photos: `core.uploads.IMAGE_TYPES`)."""
    checked = check_upload(uploaded, allowed=allowed)
    with transaction.atomic():
        document = PrivateDocument(
            organisation=organisation,
            kind=kind,
            original_filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            expires_on=expires_on,
            uploaded_by=by,
        )
        document.file.save("upload", ContentFile(checked.content), save=False)
        document.save()
        audit_record(actor=by, action=AuditAction.CREATE, obj=document, detail={"kind": kind})
    return document


def organisation_create(*, owner: User, **fields) -> Organisation:
    localities = fields.pop("localities", [])
    with transaction.atomic():
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
        organisation.localities.set(localities)
        OrganisationMembership.objects.create(
            organisation=organisation, user=owner, role=OrganisationRole.OWNER
        )
        audit_record(actor=owner, action=AuditAction.CREATE, obj=organisation)
    return organisation


def user_deactivate(*, user: User, by: User | None, reason: str) -> None:
    """Stop someone signing in, and end every session they have open, now."""
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        for session in UserSession.objects.filter(user=user):
            session.end()
        audit_record(
            actor=by, action=AuditAction.SECURITY, obj=user, to_state="inactive", reason=reason
        )
