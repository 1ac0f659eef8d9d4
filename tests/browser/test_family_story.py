"""A family tells their story on a phone through the link they were given, with no account, and a
practitioner makes that link. axe checks every page on the way."""

import datetime

from django.utils import timezone

import pytest

from outcomes.enums import CheckpointKind, CheckpointStatus
from outcomes.models import Checkpoint, CheckpointLink
from outcomes.services.links import link_create, link_token
from tests.browser.conftest import (
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories.core import TEST_PASSWORD, OrganisationFactory, OrganisationMembershipFactory
from tests.factories.outcomes import EpisodeFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def episode(live_site):
    organisation = OrganisationFactory(name="Millbrook Family Coaching")
    return EpisodeFactory(family__supporting_organisation=organisation)


@pytest.fixture
def practitioner(episode):
    return OrganisationMembershipFactory(organisation=episode.family.supporting_organisation).user


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def continue_(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    check(page)


def test_a_family_tells_their_story_on_a_phone(new_page, episode, practitioner):
    link = link_create(episode=episode, kind=CheckpointKind.ASSESSMENT, by=practitioner)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)

    page.goto(f"/my-story/{link_token(link)}/")
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us how things are"
    assert page.get_by_text("It takes about 5 minutes.").is_visible()
    assert page.get_by_text(
        "Only the people supporting you at Millbrook Family Coaching"
    ).is_visible()

    page.get_by_role("button", name="Start now").click()
    check(page)
    page.get_by_label("Money and bills").check()
    page.get_by_label("Feeling alone").check()
    page.get_by_label("Is there anything else you would like help with?").fill(
        "Getting to appointments"
    )
    continue_(page)

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "How much help would you like with money and bills?"
    )
    page.get_by_role("button", name="Save and continue").click()
    check(page)
    assert_error_summary(page)
    page.get_by_label("We need some extra help with this").check()
    continue_(page)
    page.get_by_label("A group, a class or everyday services would help").check()
    continue_(page)
    assert "Getting to appointments" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("We can sort this out ourselves, with some information").check()
    continue_(page)

    assert "Overall, how are things" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("4", exact=True).check()
    continue_(page)

    page.locator("#id_goal_1").fill("Calmer mornings")
    page.locator("#id_rating_1").fill("3")
    continue_(page)

    page.get_by_label("In your own words, how are things?").fill(
        "We are behind on the rent and I can't sleep.\nThe kids are doing well at school."
    )
    continue_(page)

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Check your answers before sending them"
    )
    assert page.get_by_text("Calmer mornings – 3 out of 10").is_visible()
    page.get_by_role(
        "link", name="Change overall, how are things for your family at the moment?"
    ).click()
    check(page)
    page.get_by_label("5", exact=True).check()
    continue_(page)
    assert page.get_by_text("5 out of 10").is_visible()

    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your answers have been sent"
    checkpoint = Checkpoint.objects.get(episode=episode)
    assert checkpoint.status == CheckpointStatus.SUBMITTED and checkpoint.self_reported
    assert checkpoint.scores.get(domain__key="overall").score == 5
    assert sorted(checkpoint.issues.values_list("issue", flat=True)) == [
        "Getting to appointments",
        "isolation",
        "money",
    ]

    page.get_by_role("link", name="See what you told us").click()
    check(page)
    assert page.get_by_text("We are behind on the rent and I can't sleep.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save a copy of your answers").click()
    with open(download.value.path(), encoding="utf-8") as copy:
        story = copy.read()
    assert "what you told Millbrook Family Coaching" in story
    assert "Calmer mornings – 3 out of 10" in story and "5 out of 10" in story

    # The link stops working for changes once sent, and entirely when it expires.
    page.goto(f"/my-story/{link_token(link)}/questions/overall/")
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "What you told us"
    CheckpointLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    page.goto(f"/my-story/{link_token(link)}/")
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "This link has stopped working"
    assert "Millbrook" not in page.content()


def test_a_practitioner_makes_a_link_to_give_the_family(new_page, episode, practitioner):
    page = new_page()

    sign_in(page, practitioner.email, TEST_PASSWORD)
    check(page)
    page.goto(f"/families/{episode.family.reference}/links/new/")
    check(page)
    page.get_by_role("button", name="Make the link").click()
    check(page)
    assert_error_summary(page)
    page.get_by_label("At the start of their help (assessment)").check()
    page.get_by_role("button", name="Make the link").click()
    page.wait_for_load_state()
    check(page)

    link = CheckpointLink.objects.get(episode=episode)
    address = page.get_by_label("The family’s link").input_value()
    assert address.endswith(f"/my-story/{link_token(link)}/")
    qr_code = page.get_by_role("img", name="QR code of the family’s link")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.get_by_role("button", name="Print this page").is_visible()

    page.get_by_role("button", name="Stop this link").click()
    page.wait_for_load_state()
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Stop this link?"
    page.get_by_role("button", name="Stop this link").click()
    page.wait_for_load_state()
    check(page)
    assert page.get_by_text("The link has stopped working").is_visible()
    link.refresh_from_db()
    assert link.revoked_at is not None

    family = new_page(viewport=PHONE)
    family.goto(address)
    check(family)
    assert family.get_by_role("heading", level=1).inner_text() == "This link has stopped working"
