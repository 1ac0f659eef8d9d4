from django.db import DatabaseError, connection, transaction

import pytest

from core.audit import audit_history, audit_record
from core.models import AuditEntry
from core.models.audit import AuditAction
from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_an_audit_entry_records_who_what_when_from_to_and_why_without_personal_details():
    officer = UserFactory(full_name="Priya Officer")
    organisation = OrganisationFactory(name="Secret Name Group")
    entry = audit_record(
        actor=officer,
        action=AuditAction.TRANSITION,
        obj=organisation,
        from_state="draft",
        to_state="submitted",
        reason="Ready",
    )
    assert (entry.actor_id, entry.from_state, entry.to_state, entry.reason) == (
        officer.pk,
        "draft",
        "submitted",
        "Ready",
    )
    assert entry.at is not None
    assert "Priya" not in entry.actor_label and "Secret Name" not in entry.object_label
    assert list(audit_history(organisation)) == [entry]


@pytest.mark.django_db
def test_the_application_cannot_change_or_delete_audit_entries():
    entry = audit_record(actor=None, action=AuditAction.SECURITY, reason="test")
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditentry SET reason = 'x'", "DELETE FROM core_auditentry"]
)
def test_the_database_itself_refuses_to_change_audit_entries(statement):
    audit_record(actor=None, action=AuditAction.SECURITY, reason="original")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get().reason == "original"
