"""The public website and the sign-in pages, as a visitor without an account meets them."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from cms.demo import seed_site
from cms.models import FamilyHubPage, FundIndexPage, FundPage, SelfHelpPage
from cms.services import fund_pages_sync
from core.demo import LOCALITIES
from core.models import Locality
from tests.browser.conftest import (
    SMALL_SCREEN,
    assert_accessible,
    assert_error_summary,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
)
from tests.factories.grants import FundFactory, RoundFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(live_site):
    """The demo borough's website: home, self-help, family hubs and the standard pages."""
    for name, description in LOCALITIES:
        Locality.objects.create(
            name=name, slug=name.lower().replace(" ", "-"), description=description
        )
    seed_site()
    # The funding section: a fund taking applications, and one whose next round opens later.
    FundFactory(name="Ashby Vale Community Fund", slug="ashby-vale")
    closed = FundFactory(name="Millbrook Spring Fund", slug="millbrook-spring", is_rolling=False)
    RoundFactory(
        fund=closed,
        name="Spring 2027",
        opens_at=timezone.now() + datetime.timedelta(days=60),
        closes_at=timezone.now() + datetime.timedelta(days=90),
    )
    fund_pages_sync()


def public_pages() -> dict[str, str]:
    return {
        "home": "/",
        "sign in": "/accounts/login/",
        "create an account": "/accounts/signup/",
        "forgotten password": "/accounts/password/reset/",
        "accessibility statement (a standard page)": "/accessibility-statement/",
        "family hubs": "/family-hubs/",
        "a family hub": FamilyHubPage.objects.live().first().url,
        "self-help": "/find-out-more/",
        "a self-help page": SelfHelpPage.objects.live().first().url,
        "funding": FundIndexPage.objects.live().get().url,
        "a fund taking applications": FundPage.objects.get(fund__slug="ashby-vale").url,
        "a fund between rounds": FundPage.objects.get(fund__slug="millbrook-spring").url,
        "a fund's eligibility questions": reverse("grants:eligibility", args=["ashby-vale"]),
        "search": "/search/",
        "search results": "/search/?q=family+hub",
        "no search results": "/search/?q=xylophone",
        "page not found": "/no-such-page/",
    }


def test_public_pages_have_no_accessibility_problems(new_page, demo_site):
    # Under the site's real content security policy, so anything it blocks shows up too.
    page = new_page(bypass_csp=False)
    problems = []
    for name, path in public_pages().items():
        response = page.goto(path)
        assert response.ok or name == "page not found", f"{name} ({path}): {response.status}"
        if lines := axe_violations(page):
            problems.append(f"{name} ({path}):\n" + "\n".join(lines))
    assert not problems, "axe found problems:\n" + "\n".join(problems)
    assert csp_violations(page) == []


def test_visitor_searches_from_the_home_page(page, demo_site):
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Search for help, activities and places near you").fill("family hub")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    assert page.title().startswith("Search results for ‘family hub’")
    assert page.get_by_role("link", name="Ashby Vale Family Hub").is_visible()


def test_public_pages_reflow_on_a_small_screen(new_page, demo_site):
    page = new_page(viewport=SMALL_SCREEN)
    for path in public_pages().values():
        page.goto(path)
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
    # The menu collapses behind a button, which opens it.
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    assert page.get_by_role("link", name="Sign in", exact=True).is_visible()
    assert_accessible(page)


def test_sign_in_and_sign_up_submitted_empty_show_the_error_summary(page, demo_site):
    for path in ["/accounts/login/", "/accounts/signup/"]:
        page.goto(path)
        assert_accessible(page)
        page.locator("main form button[type=submit]").click()
        assert_accessible(page)
        assert_error_summary(page)
