"""At screening the officer checks the group holds the documents the fund asks for, in date."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

import pytest

from core.enums import DocumentKind
from core.models import AuditEntry, PrivateDocument
from core.models.audit import AuditAction
from core.workflow import TransitionRefused
from grants.enums import ApplicationStatus
from grants.services.decisions import send_for_decision
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def holds(organisation, kind, *, expires_on=None):
    return PrivateDocument.objects.create(
        organisation=organisation,
        kind=kind,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="paper.pdf"),
        original_filename="paper.pdf",
        content_type="application/pdf",
        size=15,
        sha256="0" * 64,
        expires_on=expires_on,
    )


@pytest.fixture
def screening():
    fund = FundFactory(
        rapid=True,
        required_documents=[DocumentKind.GOVERNING_DOCUMENT, DocumentKind.INSURANCE],
    )
    application = application_in(S.SCREENING, fund=fund)
    return application, grants_officer(locality=fund.locality)


def test_an_application_with_documents_missing_is_not_sent_for_decision(screening):
    application, officer = screening
    holds(application.organisation, DocumentKind.GOVERNING_DOCUMENT)
    holds(
        application.organisation,
        DocumentKind.INSURANCE,
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    with pytest.raises(TransitionRefused, match="Public liability insurance: out of date"):
        send_for_decision(application=application, by=officer)
    application.refresh_from_db()
    assert application.status == S.SCREENING


def test_documents_in_date_let_it_through(screening):
    application, officer = screening
    holds(application.organisation, DocumentKind.GOVERNING_DOCUMENT)
    holds(
        application.organisation,
        DocumentKind.INSURANCE,
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    send_for_decision(application=application, by=officer)
    assert application.status == S.OFFICER_DECISION


def test_an_officer_who_checked_another_way_says_how_and_it_is_on_the_record(screening):
    application, officer = screening
    send_for_decision(
        application=application, by=officer, checked_otherwise="Saw the constitution at their AGM."
    )
    assert application.status == S.OFFICER_DECISION
    entry = AuditEntry.objects.for_object(application).filter(action=AuditAction.TRANSITION).first()
    assert "Saw the constitution at their AGM." in entry.reason
    assert entry.to_state == S.OFFICER_DECISION


def test_the_officer_page_lists_the_checks(client, sign_in, screening):
    application, officer = screening
    holds(application.organisation, DocumentKind.GOVERNING_DOCUMENT)
    sign_in(officer)
    page = client.get(f"/admin/grant-applications/inspect/{application.pk}/").content.decode()
    assert "Due diligence" in page
    assert "Governing document" in page and "Missing" in page
