"""A group keeps its documents once, privately; only its people (and staff for its area) can fetch them."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from core.enums import DocumentKind, Role
from core.models import AuditEntry, LocalityStaff, PrivateDocument
from core.models.audit import AuditAction
from tests.factories import (
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.factories.core import force_login_past_two_step

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, organisation, name, content, kind=DocumentKind.GOVERNING_DOCUMENT, **extra):
    return client.post(
        f"/organisations/{organisation.pk}/documents/new/",
        {"kind": kind, "file": SimpleUploadedFile(name, content), **extra},
    )


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"  # camera make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def member(client):
    membership = OrganisationMembershipFactory()
    client.force_login(membership.user)
    return membership


def test_a_volunteer_uploads_their_governing_document_and_downloads_it_again(client, member):
    response = _upload(client, member.organisation, "Our constitution.pdf", PDF_BYTES)
    assert response.status_code == 302
    document = PrivateDocument.objects.get()
    assert document.original_filename == "Our constitution.pdf"
    assert document.content_type == "application/pdf"
    assert "constitution" not in document.file.name  # stored under a generated name

    download = client.get(f"/files/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert AuditEntry.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=str(document.pk)
    ).exists()


def test_insurance_needs_its_end_date_and_the_file_is_kept_for_the_retry(client, member):
    response = _upload(
        client, member.organisation, "insurance.pdf", PDF_BYTES, kind=DocumentKind.INSURANCE
    )
    assert response.status_code == 400
    assert "Enter the date your insurance ends" in response.text
    assert "There is a problem" in response.text
    response = _upload(
        client,
        member.organisation,
        "insurance.pdf",
        PDF_BYTES,
        kind=DocumentKind.INSURANCE,
        expires_on="31/3/2027",
    )
    assert response.status_code == 302
    assert PrivateDocument.objects.get().expires_on.isoformat() == "2027-03-31"


def test_a_photo_is_stored_without_its_location_or_camera_details(client, member):
    response = _upload(
        client, member.organisation, "event.jpg", _jpeg_with_gps(), kind=DocumentKind.PHOTO
    )
    assert response.status_code == 302
    stored = PrivateDocument.objects.get()
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif


def test_a_picture_too_big_to_open_safely_is_refused(client, member, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(buffer, format="PNG")
    response = _upload(
        client, member.organisation, "huge.png", buffer.getvalue(), kind=DocumentKind.PHOTO
    )
    assert response.status_code == 400
    assert "too large" in response.text
    assert not PrivateDocument.objects.exists()


def test_a_word_document_with_macros_is_refused_with_a_way_forward(client, member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            "<Types><Override ContentType='application/vnd.ms-word.document.macroEnabled.main+xml'/></Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    response = _upload(client, member.organisation, "policy.docx", buffer.getvalue())
    assert response.status_code == 400
    assert "macros" in response.text
    assert "Save it as a plain .docx or PDF" in response.text


def test_a_plain_word_document_is_accepted(client, member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert _upload(client, member.organisation, "policy.docx", buffer.getvalue()).status_code == 302


def test_someone_from_another_group_cannot_see_or_add_to_this_groups_documents(client, member):
    _upload(client, member.organisation, "constitution.pdf", PDF_BYTES)
    document = PrivateDocument.objects.get()
    outsider = OrganisationMembershipFactory().user
    client.force_login(outsider)
    assert client.get(f"/files/{document.pk}/download/").status_code == 404
    assert client.get(f"/organisations/{member.organisation.pk}/").status_code == 404
    assert _upload(client, member.organisation, "x.pdf", PDF_BYTES).status_code == 404
    assert PrivateDocument.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor_id=outsider.pk).exists()


def test_an_officer_sees_documents_of_groups_in_their_area_only(client):
    home, elsewhere = LocalityFactory(), LocalityFactory()
    near = OrganisationFactory(localities=[home])
    far = OrganisationFactory(localities=[elsewhere])
    documents = {}
    for organisation in (near, far):
        owner = OrganisationMembershipFactory(organisation=organisation).user
        client.force_login(owner)
        _upload(client, organisation, "constitution.pdf", PDF_BYTES)
        documents[organisation] = PrivateDocument.objects.get(organisation=organisation)
    officer = UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,))
    LocalityStaff.objects.create(user=officer, locality=home)
    force_login_past_two_step(client, officer)
    assert client.get(f"/files/{documents[near].pk}/download/").status_code == 200
    assert client.get(f"/files/{documents[far].pk}/download/").status_code == 404
