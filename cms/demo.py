"""The demo borough's public website: home, self-help, family hubs, and the pages every council site needs."""

import datetime

from django.db import transaction

from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import (
    FamilyHubIndexPage,
    FamilyHubPage,
    HomePage,
    SelfHelpIndexPage,
    SelfHelpPage,
    SiteSettings,
    StandardPage,
)
from core.models import Locality

HUB_NAMES = {
    "ashby-vale": [
        "Ashby Vale Family Hub",
        "Vale Road Children's Centre",
        "Upper Ashby Library Hub",
    ],
    "millbrook": [
        "Millbrook Family Hub",
        "Canal Street Community Rooms",
        "Millbrook Leisure Centre Hub",
    ],
    "harrowgate-fields": [
        "Harrowgate Fields Family Hub",
        "Fields Primary Hub",
        "North Ring Community Centre",
    ],
    "riverside": [
        "Riverside Family Hub",
        "Town Hall Family Rooms",
        "Bridge Street Youth and Family Hub",
    ],
}

SELF_HELP = [
    (
        "Settling a baby who won't sleep",
        "sleep",
        "Small changes to try tonight, and when to ask for help.",
    ),
    ("When money is tight", "money", "Benefits to check, free school meals, and help with bills."),
    (
        "Arguments at home",
        "relationships",
        "Ways to disagree without hurting each other, and where to talk.",
    ),
    (
        "Worried about your child's behaviour",
        "behaviour",
        "What often helps, from parents who have been there.",
    ),
    (
        "Feeling low after having a baby",
        "feelings",
        "You are not alone: what you can do, and who can help.",
    ),
    (
        "Starting school",
        "school",
        "Getting ready together, and what to do if your child is anxious.",
    ),
    (
        "Screens and gaming",
        "behaviour",
        "Agreeing limits that stick, without a battle every night.",
    ),
    (
        "Caring for a child with additional needs",
        "send",
        "Your rights, local groups, and short breaks.",
    ),
]


def _paragraphs(*texts: str) -> list:
    return [("paragraph", RichText("".join(f"<p>{t}</p>" for t in texts)))]


@transaction.atomic
def seed_site(council_name: str = "Brackenford Borough Council") -> HomePage:
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Help for families in Brackenford",
            slug="brackenford",
            introduction=(
                "Find things to do, people to talk to and support for your family, without a referral "
                "or a waiting list. Community groups can also apply for small grants here."
            ),
        )
        root.add_child(instance=home)
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = "Brackenford early help"
            site.save()
        else:
            site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
        if old_root and old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
            old_root.delete()
    site = Site.objects.get(is_default_site=True)

    self_help = SelfHelpIndexPage.objects.first()
    if self_help is None:
        self_help = SelfHelpIndexPage(
            title="Find out more yourself",
            slug="find-out-more",
            introduction="Ideas and information you can use straight away, at home, at your own pace.",
            show_in_menus=True,
        )
        home.add_child(instance=self_help)
        for title, topic, summary in SELF_HELP:
            self_help.add_child(
                instance=SelfHelpPage(
                    title=title,
                    topic=topic,
                    summary=summary,
                    body=_paragraphs(
                        summary,
                        "Lots of families go through this. Try one small thing at a time, and notice what helps.",
                        "If you would like to talk it through, any family hub can help. You can just turn up.",
                    ),
                )
            )

    hubs_index = FamilyHubIndexPage.objects.first()
    if hubs_index is None:
        hubs_index = FamilyHubIndexPage(
            title="Family hubs",
            slug="family-hubs",
            introduction="Friendly places in every part of the borough where families can get help, "
            "meet others and join in activities. You don't need an appointment.",
            show_in_menus=True,
        )
        home.add_child(instance=hubs_index)
        for number, locality in enumerate(Locality.objects.order_by("name")):
            for position, hub_name in enumerate(HUB_NAMES.get(locality.slug, [])):
                hubs_index.add_child(
                    instance=FamilyHubPage(
                        title=hub_name,
                        locality=locality,
                        summary="Stay and play, baby weighing, advice on money and housing, and a friendly face.",
                        address=f"{10 + position * 7} {locality.name} Street\nBrackenford",
                        postcode=f"BF{number + 1} {position + 1}HB",
                        phone=f"01632 96{number}{position}00",
                        email=f"{locality.slug}.hub{position + 1}@brackenford.example",
                        opening_times=RichText(
                            "<ul><li>Monday to Thursday: 9am to 5pm</li><li>Friday: 9am to 4:30pm</li>"
                            "<li>Saturday: 10am to 1pm (stay and play)</li></ul>"
                        ),
                        accessibility="Step-free entrance, accessible toilet and baby-changing, buggy park.",
                    )
                )

    pages = {}
    for slug, title, summary, body in [
        (
            "about",
            "About this service",
            "How early help works in Brackenford.",
            _paragraphs(
                "Early help means getting the right support as soon as a family needs it.",
                "Most help starts with you: find out more yourself, go to a family hub, or join a "
                "community group near you.",
            ),
        ),
        (
            "accessibility-statement",
            "Accessibility statement",
            "How accessible this website is, and how to tell us about a problem.",
            _paragraphs(
                f"{council_name} is committed to making this website accessible, in line with the Public "
                "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.",
                "This website is designed to meet the Web Content Accessibility Guidelines version 2.2 AA "
                "standard. It is tested with automated checks on every change and by hand with screen readers.",
                "You should be able to zoom in up to 400% without the text spilling off the screen, navigate "
                "the whole website using just a keyboard or speech recognition software, and listen to most "
                "of the website using a screen reader.",
                "If you find a problem, or need information in a different format such as large print, easy "
                "read or audio, contact us and we will reply within 10 working days.",
                "If you are not happy with how we respond, contact the Equality Advisory and Support Service.",
            ),
        ),
        (
            "privacy",
            "Privacy notice",
            "What we collect, why, and your rights.",
            _paragraphs(
                f"{council_name} is the data controller for this service.",
                "We collect only what we need: your email address to sign in; your group's details when you "
                "apply for funding; and, for families, what you choose to tell us about how things are going. "
                "Family records use a reference, not your name.",
                "We use only the cookies this website needs to work (to keep you signed in and to protect "
                "forms). We do not use analytics or advertising cookies.",
                "We keep records only as long as the retention schedule says, then delete them. You can ask "
                "for a copy of what we hold about you, or ask us to correct or delete it.",
            ),
        ),
    ]:
        page = StandardPage.objects.filter(slug=slug).first()
        if page is None:
            page = StandardPage(
                title=title,
                slug=slug,
                summary=summary,
                body=body,
                last_reviewed=datetime.date(2026, 11, 1),
                show_in_menus=slug == "about",
            )
            home.add_child(instance=page)
        pages[slug] = page

    settings = SiteSettings.for_site(site)
    settings.council_name = council_name
    settings.service_name = "Early help in your community"
    settings.contact_email = "earlyhelp@brackenford.example"
    settings.contact_phone = "01632 960000"
    settings.contact_hours = "Monday to Friday, 9am to 5pm"
    settings.accessibility_page = pages["accessibility-statement"]
    settings.privacy_page = pages["privacy"]
    settings.save()
    return home
