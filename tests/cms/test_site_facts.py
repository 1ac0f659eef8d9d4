"""Every page shows the council's name, contacts and footer links, worked out once and cached until
an editor changes something they show."""

import pytest

from cms.demo import seed_site
from cms.models import SiteSettings, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    seed_site()
    return SiteSettings.objects.get()


def test_the_header_and_footer_show_the_councils_details(client, site):
    page = client.get("/").content.decode()
    assert "Brackenford Borough Council" in page
    accessibility = StandardPage.objects.get(slug="accessibility-statement")
    assert f'href="{accessibility.url}"' in page


def test_an_editors_change_shows_on_the_next_page(client, site):
    client.get("/")
    site.council_name = "Brackenford Council"
    site.contact_phone = "01234 567890"
    site.save()
    page = client.get("/search/").content.decode()
    assert "Brackenford Council" in page and "01234 567890" in page


def test_unpublishing_a_footer_page_removes_its_link(client, site):
    accessibility = StandardPage.objects.get(slug="accessibility-statement")
    assert "Accessibility statement" in client.get("/search/").content.decode()
    accessibility.unpublish()
    assert "Accessibility statement" not in client.get("/search/").content.decode()


def test_the_settings_are_not_fetched_again_on_every_page(
    client, site, django_assert_max_num_queries
):
    client.get("/search/")
    with django_assert_max_num_queries(3) as queries:
        client.get("/search/")
    assert not any("cms_sitesettings" in q["sql"] for q in queries.captured_queries)
