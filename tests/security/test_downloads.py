"""Rows 22 and 24: whatever a file is called and whatever is inside it, it comes back only to people
allowed to see it, as a download, under headers nobody can split or turn into a web page."""

import re
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils.http import parse_header_parameters

import pytest

from core.models import PrivateDocument
from tests.factories import OrganisationMembershipFactory
from tests.security.uploading import upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
STORED_NAME = re.compile(r"^documents/\d+/[0-9a-f]{32}$")


@pytest.fixture
def owner(client, sign_in):
    membership = OrganisationMembershipFactory()
    sign_in(membership.user)
    return membership


def _offered_filename(response) -> str:
    disposition, params = parse_header_parameters(response["Content-Disposition"])
    assert disposition == "attachment"
    if "filename*" in params:
        charset, _, encoded = params["filename*"].partition("''")
        assert charset.lower() == "utf-8"
        return unquote(encoded)
    return params["filename"]


@pytest.mark.parametrize(
    ("given", "offered"),
    [
        ("report\r\nSet-Cookie: pwned=1.pdf", "reportSet-Cookie pwned=1.pdf"),
        ('say "hello"; filename=evil.html.pdf', "say hello filename=evil.html.pdf"),
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        ("Cyllideb – café ✓ 2026.pdf", "Cyllideb – café ✓ 2026.pdf"),
    ],
    ids=["crlf", "quotes", "dot-dot-slash", "backslashes", "non-ascii"],
)
def test_a_hostile_file_name_is_stored_under_a_generated_name_and_offered_back_safely(
    client, owner, given, offered
):
    assert upload(client, owner.organisation, filename=given, content=PDF).status_code == 302
    document = PrivateDocument.objects.get()
    storage = storages["private"]

    assert STORED_NAME.match(document.file.name)
    assert (
        Path(storage.path(document.file.name))
        .resolve()
        .is_relative_to(Path(storage.location).resolve())
    )

    response = client.get(reverse("core:document_download", args=[document.pk]))
    assert response.status_code == 200
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, name
    assert "pwned" not in response.cookies
    assert _offered_filename(response) == offered
    if not offered.isascii():
        assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_a_pdf_that_is_also_a_web_page_is_only_ever_a_download(client, owner):
    """The file passes as a PDF (its first bytes are a PDF's), so the headers are what keep its
    script from running in our origin."""
    assert (
        upload(client, owner.organisation, filename="minutes.pdf", content=POLYGLOT).status_code
        == 302
    )
    document = PrivateDocument.objects.get()

    response = client.get(reverse("core:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "no-store" in response["Cache-Control"]


def test_the_group_page_links_to_the_checked_download_not_to_the_file(client, owner):
    upload(client, owner.organisation, filename="minutes.pdf", content=POLYGLOT)
    document = PrivateDocument.objects.get()

    page = client.get(reverse("core:organisation_detail", args=[owner.organisation.pk])).text

    assert f'href="{reverse("core:document_download", args=[document.pk])}"' in page
    assert document.file.name not in page
    assert settings.MEDIA_URL not in page


def test_the_stored_file_is_not_served_from_any_public_address(client, owner):
    upload(client, owner.organisation, filename="minutes.pdf", content=POLYGLOT)
    document = PrivateDocument.objects.get()

    for path in (
        f"{settings.MEDIA_URL}{document.file.name}",
        f"{settings.STATIC_URL}{document.file.name}",
        f"/{document.file.name}",
    ):
        for browser in (client, Client()):
            response = browser.get(path, follow=True)
            assert response.status_code == 404, path
            assert b"<script>alert" not in response.content


def test_only_the_group_can_download_its_file(client, owner):
    upload(client, owner.organisation, filename="minutes.pdf", content=PDF)
    url = reverse("core:document_download", args=[PrivateDocument.objects.get().pk])

    anonymous = Client().get(url)
    outsider = Client()
    outsider.force_login(OrganisationMembershipFactory().user)
    refused = outsider.get(url)

    assert anonymous.status_code == refused.status_code == 404
    assert PDF not in anonymous.content + refused.content


def test_production_keeps_private_uploads_out_of_the_public_folders(production_settings):
    private = production_settings["STORAGES"]["private"]
    location = Path(private["OPTIONS"]["location"])

    assert private["OPTIONS"]["base_url"] is None
    for public in (production_settings["MEDIA_ROOT"], production_settings["STATIC_ROOT"]):
        assert not location.is_relative_to(Path(public))
        assert not Path(public).is_relative_to(location)
