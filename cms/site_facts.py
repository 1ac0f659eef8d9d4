"""What every page's header and footer show about the council (its name, the service's name, the
logo, contact details, footer links, the phase banner), worked out once and kept in the cache.

Fetching the site settings, their pages and the logo's rendition on every request was a third of a
light page's work. The facts are plain values, kept for a few minutes and dropped as soon as an
editor changes the settings, a site, or publishes, moves or deletes a page."""

from dataclasses import dataclass

from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from wagtail.models import Page, Site
from wagtail.rich_text import expand_db_html
from wagtail.signals import page_published, page_unpublished

CACHE_SECONDS = 300
VERSION_KEY = "cms:site-facts:version"


@dataclass(frozen=True)
class SiteFacts:
    council_name: str = "Your council"
    service_name: str = "Early help in your community"
    logo_url: str = ""
    logo_width: int = 0
    logo_height: int = 0
    contact_email: str = ""
    contact_phone: str = ""
    contact_hours: str = ""
    accessibility_url: str = ""
    privacy_url: str = ""
    phase_banner_html: str = ""


def _page_url(page: Page | None, request: HttpRequest) -> str:
    if page is None or not page.live:
        return ""
    return page.get_url(request=request) or ""


def _facts_for(request: HttpRequest) -> SiteFacts:
    from cms.models import SiteSettings

    site = Site.find_for_request(request)
    if site is None:
        return SiteFacts()
    settings = SiteSettings.for_site(site)
    logo = {}
    if settings.logo is not None:
        rendition = settings.logo.get_rendition("height-40")
        logo = {
            "logo_url": rendition.url,
            "logo_width": rendition.width,
            "logo_height": rendition.height,
        }
    return SiteFacts(
        council_name=settings.council_name,
        service_name=settings.service_name,
        contact_email=settings.contact_email,
        contact_phone=settings.contact_phone,
        contact_hours=settings.contact_hours,
        accessibility_url=_page_url(settings.accessibility_page, request),
        privacy_url=_page_url(settings.privacy_page, request),
        phase_banner_html=expand_db_html(settings.phase_banner) if settings.phase_banner else "",
        **logo,
    )


def default_council_name() -> str:
    """The council's name where there is no request to go by (PDFs made by a worker, and the like)."""
    from cms.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site).council_name if site else ""


def site_facts(request: HttpRequest) -> SiteFacts:
    version = cache.get_or_set(VERSION_KEY, 1, timeout=None)
    key = f"cms:site-facts:{version}:{request.get_host()}"
    facts = cache.get(key)
    if facts is None:
        facts = _facts_for(request)
        cache.set(key, facts, CACHE_SECONDS)
    return facts


def site_facts_forget(**kwargs) -> None:
    """Something the header or footer shows may have changed: the next request works them out."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, **kwargs) -> None:
    site_facts_forget()
