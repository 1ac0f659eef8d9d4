"""A coder signs in with their authenticator, finds the coding queue from their account page and codes
two families' narratives, ticking codes themselves while the suggestions stay suggestions."""

import re

import pytest

from core.enums import Role
from core.models import LocalityStaff
from outcomes.models import NarrativeCode
from outcomes.services.frameworks import frameworks_load
from tests.browser.conftest import assert_accessible, assert_error_summary, sign_in, totp_code_now
from tests.factories.core import TEST_PASSWORD, LocalityFactory, UserFactory
from tests.factories.outcomes import (
    CheckpointFactory,
    EpisodeFactory,
    FamilyRecordFactory,
    NarrativeFactory,
)

pytestmark = pytest.mark.browser

RENT = "We were behind on the rent and the landlord was talking about eviction."
SCHOOL = "My son was excluded from school twice and I felt nobody was listening."


def narrative_in(locality, text):
    family = FamilyRecordFactory(locality=locality, shared_with_partners=True)
    return NarrativeFactory(
        checkpoint=CheckpointFactory(episode=EpisodeFactory(family=family)), text=text
    )


def test_a_coder_codes_two_narratives(page, live_site):
    frameworks_load()
    millbrook = LocalityFactory(name="Millbrook", slug="millbrook")
    coder = UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,))
    LocalityStaff.objects.create(user=coder, locality=millbrook)
    first = narrative_in(millbrook, RENT)
    second = narrative_in(millbrook, SCHOOL)

    sign_in(page, coder.email, TEST_PASSWORD)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label(re.compile("code", re.I)).fill(totp_code_now())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")  # staff land in the staff area
    assert_accessible(page)
    page.goto("/dashboard/")
    assert_accessible(page)

    page.get_by_role("link", name="Code families’ words").click()
    page.wait_for_url("**/outcomes/coding/")
    assert_accessible(page)
    assert page.get_by_text(RENT).is_visible()
    assert page.get_by_text("2 narratives left to code").is_visible()
    housing = page.get_by_label("Housing")
    assert (
        page.locator("#" + housing.get_attribute("aria-describedby"))
        .inner_text()
        .startswith("Suggested")
    )
    assert not housing.is_checked(), "a suggestion must never be ticked for the coder"

    page.get_by_role("button", name="Save and go to the next").click()
    assert_accessible(page)
    assert_error_summary(page)

    page.get_by_label("Housing").check()
    page.get_by_label("Money and debt").check()
    page.get_by_role("button", name="Save and go to the next").click()
    assert_accessible(page)
    assert page.get_by_text("Codes saved.").is_visible()
    assert page.get_by_text(SCHOOL).is_visible()
    assert page.get_by_text("1 narrative left to code").is_visible()

    page.get_by_label("School attendance and learning").check()
    page.get_by_role("button", name="Save and go to the next").click()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Nothing left to code"

    coded = NarrativeCode.objects.order_by("narrative_id", "code__key")
    assert [(c.narrative_id, c.code.key) for c in coded] == [
        (first.pk, "housing"),
        (first.pk, "money"),
        (second.pk, "school"),
    ]
    assert {c.coded_by_id for c in coded} == {coder.pk}
