"""The browser harness: Debian's chromium, driven by Playwright, against pytest-django's live server.

One browser per test session (so one per xdist worker) and a fresh browser context for every test.
Tests ask for ``page`` (or call ``new_page`` for a second person or a small screen) and call
``assert_accessible(page)`` on every page they reach; a page left unchecked fails the test at
teardown, as do JavaScript errors and stylesheets, scripts, images or fonts that fail to load.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Frame,
    Page,
    Response,
    expect,
    sync_playwright,
)

from core.enums import Role
from tests.factories.core import (
    TEST_PASSWORD,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    totp_code_now,
)
from tests.factories.grants import FundFactory

if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    # An in-memory SQLite database is one connection that the live server's threads share; a page
    # and its assets fetched at once (the admin's jsi18n and sprite) can trip over each other on
    # it. Serving one request at a time avoids that; PostgreSQL gives each thread its own.
    class OneAtATimeServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs) -> None:
            # The live server's own thread already uses the shared connection.
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATimeServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
SMALL_SCREEN = {"width": 320, "height": 640}
TIMEOUT_MS = 10_000


# --- What happened in a tab -------------------------------------------------------------------


@dataclass
class PageWatch:
    """The documents one tab loaded, whether axe checked each, and what went wrong on the way."""

    current: str | None = None
    checked: bool = True
    unchecked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def navigated(self, url: str) -> None:
        if self.current and urldefrag(url).url == urldefrag(self.current).url:
            return  # a jump within the page, not a new document
        if not self.checked and self.current:
            self.unchecked.append(self.current)
        self.current, self.checked = url, False

    def problems(self) -> list[str]:
        unchecked = [*self.unchecked, *([self.current] if not self.checked else [])]
        return [
            f"{label}: {items}"
            for label, items in [
                ("pages visited without an axe check", unchecked),
                ("JavaScript errors", self.page_errors),
                ("assets that failed to load", self.broken_assets),
            ]
            if items
        ]


_watches: dict[int, PageWatch] = {}


def _watch(page: Page) -> PageWatch:
    watch = PageWatch()
    _watches[id(page)] = watch

    def on_navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            watch.navigated(frame.url)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            watch.csp_violations.append(message.text)

    def on_response(response: Response) -> None:
        resource = response.request.resource_type
        if resource in {"stylesheet", "script", "image", "font"} and response.status >= 400:
            watch.broken_assets.append(f"{response.status} {response.url}")

    page.on("framenavigated", on_navigated)
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    return watch


def csp_violations(page: Page) -> list[str]:
    """What the content security policy blocked, from the browser console, once the page has
    finished loading what its scripts ask for (reported only in contexts with ``bypass_csp=False``)."""
    page.wait_for_load_state("networkidle")
    return list(_watches[id(page)].csp_violations)


# --- Checks -----------------------------------------------------------------------------------


@cache
def axe_source() -> str:
    """axe-core as the project installed it (npm), read at run time and never copied into static."""
    path = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail(f"axe-core is missing from {path.parent}: run `npm ci` first", pytrace=False)
    return path.read_text(encoding="utf-8")


_WAIT_FOR_ANIMATIONS = """() => Promise.race([
    new Promise((resolve) => setTimeout(resolve, 2000)),
    Promise.all(document.getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => null))),
])"""

_RUN_AXE = """async ({include, tags}) => {
    const context = include ? {include: include.map((selector) => [selector])} : document;
    return await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
}"""


def axe_violations(page: Page, *, include: list[str] | None = None) -> list[str]:
    """Run axe-core on the page as it is now, for WCAG 2.0, 2.1 and 2.2 at levels A and AA.

    Returns one line per violated rule (id, impact and help text), each followed by the selectors of
    the elements that break it. ``include`` limits the check to parts of the page (CSS selectors).
    """
    page.wait_for_load_state("load")
    # Contrast is measured as drawn: let fades and slides that end by themselves finish first.
    page.evaluate(_WAIT_FOR_ANIMATIONS)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which works under the site's own CSP too.
        page.evaluate(f"{axe_source()}\n;undefined")
    results = page.evaluate(_RUN_AXE, {"include": include, "tags": AXE_TAGS})
    if watch := _watches.get(id(page)):
        watch.checked = True
    lines = []
    for violation in results["violations"]:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " >> ".join(
                " ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    {target}    {' '.join(node['html'].split())[:120]}")
            summary = (node.get("failureSummary") or "").splitlines()[1:3]
            lines.extend(f"      {line.strip()}" for line in summary)
    return lines


def assert_accessible(page: Page, *, include: list[str] | None = None) -> None:
    """Fail, listing every rule broken and where, if axe finds anything on the page as it is now."""
    if lines := axe_violations(page, include=include):
        pytest.fail("\n".join([f"axe found problems on {page.url}:", *lines]), pytrace=False)


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page reflows to the window's width (WCAG 1.4.10): nothing makes it scroll sideways."""
    widths = page.evaluate(
        "() => ({content: document.documentElement.scrollWidth, window: window.innerWidth})"
    )
    assert widths["content"] <= widths["window"], (
        f"{page.url} scrolls sideways: {widths['content']}px of content "
        f"in a {widths['window']}px window"
    )


def assert_error_summary(page: Page) -> None:
    """GOV.UK's error pattern: the title starts "Error: "; the summary says "There is a problem" and
    has focus; each of its links moves focus to the field at fault, which is described by its error."""
    assert page.title().startswith("Error: "), f"the title is {page.title()!r}"
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.locator(".govuk-error-summary__title").inner_text() == "There is a problem"
    assert page.evaluate("() => document.activeElement?.matches('.govuk-error-summary')"), (
        "the error summary does not have focus"
    )
    links = summary.locator(".govuk-error-summary__list a")
    assert links.count() > 0, "the error summary lists no errors"
    for index in range(links.count()):
        link = links.nth(index)
        message = link.inner_text()
        target_id = (link.get_attribute("href") or "").removeprefix("#")
        field = page.locator(f"[id='{target_id}']")
        assert field.count() == 1, f"{message!r} points at #{target_id}, which is not on the page"
        tag = field.evaluate("element => element.tagName.toLowerCase()")
        assert tag in {"input", "select", "textarea"}, f"#{target_id} is a {tag}, not a field"
        link.click()
        assert page.evaluate("id => document.activeElement?.id === id", target_id), (
            f"{message!r} did not move focus to #{target_id}"
        )
        # A group of radios or checkboxes is described by its fieldset; any other field by itself.
        described_by = field.evaluate(
            """element => (element.closest('fieldset[aria-describedby]') || element)
                .getAttribute('aria-describedby') || ''"""
        ).split()
        errors = page.locator(".govuk-error-message").all()
        descriptions = [
            error.inner_text() for error in errors if error.get_attribute("id") in described_by
        ]
        assert any(message in description for description in descriptions), (
            f"#{target_id} is not described by its error message {message!r}"
        )


# --- Doing things as a person would ------------------------------------------------------------


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in on the sign-in page (which is checked with axe on the way)."""
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in_with_code(page: Page, user) -> None:
    """Sign in as someone who uses two-step sign-in: password, then the authenticator's code, each
    page checked with axe; ends on the page the site then shows."""
    sign_in(page, user.email, TEST_PASSWORD)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code_now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.wait_for_load_state()
    assert_accessible(page)


def open_from_admin_menu(page: Page, menu: str, item: str) -> None:
    """``menu`` → ``item`` in the staff admin's sidebar."""
    page.get_by_role("button", name=menu).click()
    page.get_by_role("link", name=item, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def press_and_expect(page: Page, button: str, message: str) -> None:
    """Press an action button, land back on the page, and be told what happened."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    expect(page.get_by_text(message)).to_be_visible()


# --- Hooks ------------------------------------------------------------------------------------

_call_failed = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "browser"
        ):
            raise pytest.UsageError(
                f"{item.nodeid} drives the browser: mark it @pytest.mark.browser"
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    stylesheet = Path(settings.BASE_DIR) / "static_build" / "css" / "main.css"
    if not stylesheet.exists():
        pytest.fail(
            "The front end is not built: run `node scripts/build-assets.mjs`", pytrace=False
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _database_as_found(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Every transactional test empties the database when it ends. A reused database (PostgreSQL
    with --reuse-db) is put back as the first browser test found it, so the next run's tests still
    see what migrations created. An in-memory SQLite database is thrown away anyway."""
    with django_db_blocker.unblock():
        snapshot = None if _in_memory() else connection.creation.serialize_db_to_string()
    yield
    if snapshot is not None:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            connection.creation.deserialize_db_from_string(snapshot)
            # The rows came back with their ids; move each table's id sequence past them.
            models = apps.get_models(include_auto_created=True)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _wagtail_baseline() -> None:
    """What Wagtail's migrations create and a previous test's flush removed: the default locale,
    the root collection, the page tree's root and a first page, and the default site."""
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        root = Page.add_root(instance=Page(title="Root", slug="root"))
        welcome = root.add_child(instance=Page(title="Welcome", slug="home"))
        Site.objects.create(hostname="localhost", root_page=welcome, is_default_site=True)


# Tables the database keeps append-only with a trigger, and how each migration named it.
APPEND_ONLY_TABLES = [
    ("core_auditentry", "audit", "The audit trail"),
    ("grants_ledgerentry", "ledger", "The ledger"),
]


def _empty_audit_trail() -> None:
    """The audit trail and the grants ledger refuse DELETE (a trigger). PostgreSQL's flush
    truncates, which the trigger allows; SQLite's deletes row by row, so lift each trigger just long
    enough to empty its table."""
    from core.append_only import statements_for

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table, slug, label in APPEND_ONLY_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            cursor.execute(f"DELETE FROM {table}")
            for statement in statements_for(table, slug, label)["sqlite_forward"]:
                if "no_delete" in statement:
                    cursor.execute(statement)


@pytest.fixture
def live_site(_database_as_found, live_server, transactional_db) -> Iterator:
    """The live server, sharing committed data with the test: rows the test makes are seen by the
    browser's requests, and the other way round."""
    _wagtail_baseline()
    yield live_server
    _empty_audit_trail()


@pytest.fixture
def new_context(browser: Browser, live_site) -> Iterator[Callable[..., BrowserContext]]:
    """Open a browser context: a separate person, or the same person on another device.

    ``bypass_csp`` is on so axe can be injected; pass ``bypass_csp=False`` to load pages under the
    site's real content security policy and read ``csp_violations(page)``.
    """
    contexts: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        context = browser.new_context(
            **{
                "base_url": live_site.url,
                "bypass_csp": True,
                "viewport": DESKTOP,
                "locale": "en-GB",
                "timezone_id": "Europe/London",
                **options,
            }
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(request, new_context) -> Iterator[Callable[..., Page]]:
    """Open a watched tab: in ``context`` if given, otherwise in a new context made with the
    keyword arguments (``viewport=SMALL_SCREEN``, ``bypass_csp=False``, ``storage_state=...``)."""
    pages: list[Page] = []

    def open_page(context: BrowserContext | None = None, **context_options) -> Page:
        page = (context or new_context(**context_options)).new_page()
        _watch(page)
        pages.append(page)
        return page

    yield open_page
    problems = [problem for page in pages for problem in _watches.pop(id(page)).problems()]
    if problems and not request.node.stash.get(_call_failed, False):
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page) -> Page:
    """A tab in a fresh desktop-sized browser context."""
    return new_page()


# The applicant's story, shared by the journeys that apply -----------------------------------------


@pytest.fixture
def fund(live_site):
    """A locality's board fund, open for applications (rolling)."""
    return FundFactory(name="Ashby Vale Community Fund")


@pytest.fixture
def group(live_site):
    return OrganisationFactory(name="Ashby Vale Allotment Friends")


@pytest.fixture
def volunteer(group):
    """A volunteer who runs the group and applies for it."""
    person = UserFactory(full_name="Priya Shah", roles=(Role.APPLICANT,))
    OrganisationMembershipFactory(user=person, organisation=group)
    return person
