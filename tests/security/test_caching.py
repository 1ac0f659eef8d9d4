"""Row 50: nothing a signed-in person sees is kept by the browser or a proxy, and their pages load no
scripts from anyone else (no analytics next to a family's outcomes)."""

import re
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

import pytest

from core.enums import Role
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.factories.outcomes import FamilyRecordFactory
from tests.security.sweep import every_get_path

pytestmark = pytest.mark.django_db

SCRIPT_SOURCES = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)", re.I)
FETCHED_RESOURCES = re.compile(r"<(?:link|img|iframe)\b[^>]*\b(?:href|src)=[\"']([^\"']+)", re.I)


def _elsewhere(url: str) -> bool:
    host = urlsplit(url).netloc
    return bool(host) and host != "testserver"  # the test client's name for this site


def _privacy_problems(path: str, response) -> list[str]:
    if response.status_code != 200:
        return []
    problems = []
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    if not {"no-store", "private"} <= cache_control:
        problems.append(f"{path}: Cache-Control is {response.get('Cache-Control')!r}")
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        for source in SCRIPT_SOURCES.findall(page):
            if _elsewhere(source):
                problems.append(f"{path}: loads a script from {source}")
        for source in FETCHED_RESOURCES.findall(page):
            if _elsewhere(source):
                problems.append(f"{path}: fetches {source}")
        policy = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy)
        if not script_src or re.search(r"https?:|\*", script_src[1]):
            problems.append(f"{path}: script-src is {script_src and script_src[1]!r}")
    return problems


@pytest.fixture
def administrator_client(sign_in, clock):
    administrator = UserFactory(
        with_mfa=True, staff=True, is_superuser=True, roles=(Role.ADMINISTRATOR,)
    )
    client = Client(raise_request_exception=False)
    sign_in(administrator, client=client)
    return client


def test_nothing_a_group_owner_sees_is_kept_or_shared_with_other_sites(
    sign_in, clock, group_records
):
    client = Client(raise_request_exception=False)
    sign_in(group_records.owner, client=client)
    problems = []
    for path in every_get_path(group_records.ids):
        problems += _privacy_problems(path, client.get(path))

    assert problems == []
    # The sweep reached the group's private pages, not only sign-in redirects.
    assert (
        "Hidden Hollow Group"
        in client.get(
            reverse("core:organisation_detail", args=[group_records.organisation.pk])
        ).text
    )


def test_nothing_an_administrator_sees_is_kept_or_shared_with_other_sites(
    administrator_client, group_records
):
    problems = []
    for path in every_get_path(group_records.ids):
        problems += _privacy_problems(path, administrator_client.get(path))

    assert problems == []


def test_a_familys_outcome_record_is_not_kept_and_loads_nothing_from_elsewhere(sign_in, clock):
    family = FamilyRecordFactory()
    practitioner = UserFactory(with_mfa=True, roles=(Role.PROVIDER,))
    OrganisationMembershipFactory(user=practitioner, organisation=family.supporting_organisation)
    client = Client()
    sign_in(practitioner, client=client)
    path = reverse("outcomes:families_detail", args=[family.reference])

    response = client.get(path)

    assert response.status_code == 200
    assert family.reference in response.text
    assert _privacy_problems(path, response) == []


def test_a_signed_in_person_gets_no_store_even_on_public_pages(sign_in, group_records):
    client = Client()
    sign_in(group_records.owner, client=client)

    for path in ("/", reverse("search")):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
