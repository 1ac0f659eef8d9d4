"""Keeping the public website in step with the apps' records."""

from django.db import transaction

from cms.models import FundIndexPage, FundPage, HomePage

FUND_INDEX_TITLE = "Funding for community groups"
FUND_INDEX_INTRODUCTION = (
    "Small grants for voluntary and community groups, charities, faith groups and social "
    "enterprises that help families and neighbours. Find a fund for your area and check whether "
    "your group can apply."
)


def _free_slug(parent: FundIndexPage, slug: str) -> str:
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


@transaction.atomic
def fund_pages_sync() -> tuple[FundIndexPage | None, list[FundPage]]:
    """Make the funding section under the home page if it is missing, and a page for every
    published fund that has none. Pages editors already have are left as they are, so this is safe
    to run again. Returns the section (None when there is no home page yet) and the new pages."""
    from grants.models import Fund

    index = FundIndexPage.objects.first()
    if index is None:
        home = HomePage.objects.first()
        if home is None:
            return None, []
        index = FundIndexPage(
            title=FUND_INDEX_TITLE,
            slug="funding",
            introduction=FUND_INDEX_INTRODUCTION,
            show_in_menus=True,
        )
        home.add_child(instance=index)
    created = []
    funds = Fund.objects.filter(is_published=True, fund_page__isnull=True).order_by(
        "-financial_year", "name"
    )
    for fund in funds:
        page = FundPage(title=fund.name, slug=_free_slug(index, fund.slug), fund=fund)
        index.add_child(instance=page)
        created.append(page)
    return index, created
