"""The public early-help website. No domain rules here: pages present what the apps decide."""

from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock


class HomePage(Page):
    """The front door: plain words about getting help, and the ways in."""

    introduction = models.TextField(
        help_text="One or two sentences: who this site is for and what they can do here."
    )
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    subpage_types = [
        "cms.StandardPage",
        "cms.SelfHelpIndexPage",
        "cms.FamilyHubIndexPage",
        "cms.FundIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu().specific()
        return context


class StandardPage(Page):
    """Any page of words: about us, accessibility statement, privacy notice, guidance."""

    summary = models.TextField(blank=True, help_text="Shown under the title and in search results.")
    body = StreamField(BodyBlock())
    last_reviewed = models.DateField(null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = "standard page"


class SelfHelpIndexPage(Page):
    """'Find out more yourself': the second step of the help-yourself model."""

    introduction = models.TextField()

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    subpage_types = ["cms.SelfHelpPage"]
    max_count = 1

    class Meta:
        verbose_name = "self-help section"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        resources = SelfHelpPage.objects.child_of(self).live().order_by("topic", "title")
        topic = request.GET.get("topic", "")
        topics = sorted({t for t in resources.values_list("topic", flat=True) if t})
        if topic in topics:
            resources = resources.filter(topic=topic)
        context.update(resources=resources, topics=topics, current_topic=topic)
        return context


class SelfHelpPage(Page):
    """One self-help resource: something a family can read or do now, with no referral."""

    topic = models.CharField(
        max_length=80,
        blank=True,
        help_text="For example: sleep, money, feelings, school, relationships.",
    )
    summary = models.TextField(help_text="One sentence: what this will help with.")
    body = StreamField(BodyBlock())

    content_panels = [
        *Page.content_panels,
        FieldPanel("topic"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("topic"),
    ]
    parent_page_types = ["cms.SelfHelpIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "self-help resource"


class FamilyHubIndexPage(Page):
    introduction = models.TextField()

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    subpage_types = ["cms.FamilyHubPage"]
    max_count = 1

    class Meta:
        verbose_name = "family hubs section"

    def get_context(self, request, *args, **kwargs):
        from core.models import Locality

        context = super().get_context(request, *args, **kwargs)
        hubs = FamilyHubPage.objects.child_of(self).live().select_related("locality")
        context["localities"] = [
            (locality, [hub for hub in hubs if hub.locality_id == locality.pk])
            for locality in Locality.objects.all()
        ]
        return context


class FamilyHubPage(Page):
    """A family hub: where it is, when it is open, what happens there."""

    locality = models.ForeignKey(
        "core.Locality", on_delete=models.PROTECT, related_name="family_hubs"
    )
    summary = models.TextField(help_text="What families can do or find here, in a sentence or two.")
    address = models.TextField()
    postcode = models.CharField(max_length=8)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    opening_times = RichTextField(features=["bold", "ul", "ol"])
    accessibility = models.TextField(
        blank=True, help_text="Step-free access, parking, quiet rooms, baby-changing, and so on."
    )
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("locality"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("postcode"),
                FieldPanel("phone"),
                FieldPanel("email"),
            ],
            heading="Finding and contacting the hub",
        ),
        FieldPanel("opening_times"),
        FieldPanel("accessibility"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("address"),
        index.SearchField("postcode"),
        index.SearchField("body"),
    ]
    parent_page_types = ["cms.FamilyHubIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "family hub"


class FundIndexPage(Page):
    """'Funding for community groups': every fund's page, the ones taking applications first."""

    introduction = models.TextField()

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FundPage"]
    max_count = 1

    class Meta:
        verbose_name = "funding section"

    def get_context(self, request, *args, **kwargs):
        from grants.models import Fund

        context = super().get_context(request, *args, **kwargs)
        pages = list(
            FundPage.objects.child_of(self)
            .live()
            .filter(fund__is_published=True)
            .select_related("fund", "fund__locality")
        )
        open_ids = set(Fund.objects.open_for_applications().values_list("pk", flat=True))
        for page in pages:
            page.is_open = page.fund_id in open_ids
        pages.sort(key=lambda page: (not page.is_open, page.title.lower()))
        context["fund_pages"] = pages
        return context


class FundPage(Page):
    """A fund's public page: what it is for, who can apply, how much, when, how it decides, what it
    has given so far, and the way in to apply. The facts come from the fund; editors add words."""

    fund = models.OneToOneField(
        "grants.Fund",
        on_delete=models.PROTECT,
        related_name="fund_page",
        help_text="Amounts, dates and figures on the page come from the fund.",
    )
    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="A sentence or two under the title. The fund's summary is used if empty.",
    )
    body = RichTextField(
        blank=True,
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
        help_text="More about what the fund is for: priorities, examples of past grants.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("fund"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.FundIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "fund page"

    def get_context(self, request, *args, **kwargs):
        from grants.ledger import raised_from_outside
        from grants.models import Fund
        from grants.selectors import fund_published_figures, fund_timetable

        context = super().get_context(request, *args, **kwargs)
        fund = Fund.objects.select_related("locality").get(pk=self.fund_id)
        timetable = fund_timetable(fund)
        context.update(
            fund=fund,
            timetable=timetable,
            can_apply=fund.is_published and timetable.is_open,
            figures=fund_published_figures(fund),
            raised=raised_from_outside(fund),
        )
        return context


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    council_name = models.CharField(max_length=120, default="Your council")
    service_name = models.CharField(max_length=120, default="Early help in your community")
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_hours = models.CharField(max_length=120, blank=True)
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase_banner = RichTextField(
        blank=True,
        features=["link"],
        help_text="For example: this is a new service; tell us what you think.",
    )

    # Every public page shows these in its header and footer: fetch them with the settings, in one query.
    select_related = ["accessibility_page", "privacy_page", "logo"]

    panels = [
        FieldPanel("council_name"),
        FieldPanel("service_name"),
        FieldPanel("logo"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("contact_hours")],
            heading="Contact",
        ),
        FieldPanel("accessibility_page"),
        FieldPanel("privacy_page"),
        FieldPanel("phase_banner"),
    ]

    class Meta:
        verbose_name = "site settings"
