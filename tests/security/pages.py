"""Reading pages the way a person does: the error summary, the banners, the words on the page."""

import html
import re

from django.http import HttpResponse

_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def error_summary(response: HttpResponse) -> list[str]:
    """The messages listed under "There is a problem"."""
    body = response.content.decode()
    match = re.search(r'class="[^"]*govuk-error-summary__list[^"]*">(.*?)</ul>', body, re.S)
    if not match:
        return []
    return [_text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def error_summary_targets(response: HttpResponse) -> list[str]:
    """Where each message in the error summary takes the person (the field's id)."""
    body = response.content.decode()
    match = re.search(r'class="[^"]*govuk-error-summary__list[^"]*">(.*?)</ul>', body, re.S)
    return re.findall(r'<a href="#([^"]+)"', match.group(1)) if match else []


def banners(response: HttpResponse) -> list[str]:
    """Notification banners ("You were signed out...", "Confirmation email sent...")."""
    body = response.content.decode()
    return [
        _text(item)
        for item in re.findall(
            r'class="[^"]*govuk-notification-banner__heading[^"]*">(.*?)</p>', body, re.S
        )
    ]


def main_text(response: HttpResponse) -> str:
    """The words in the page's main area, without tokens that change on every request."""
    body = response.content.decode()
    start, end = body.find("<main"), body.find("</main>")
    main = body[start:end] if start >= 0 else body
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    return _text(main)


def is_signed_in(client) -> bool:
    """Asks the page the timeout warning polls; asking does not count as activity."""
    return client.get("/session/status/").json()["signed_in"]


def sends_to_sign_in(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
