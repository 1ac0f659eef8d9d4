"""How a refused change is shown to staff: a page that says why, with the right status code.

A change that cannot happen in this state, or not by this person (409, 403), or a stale page
(409), gets a page of its own that says so and links back; nothing has changed. A form left
incomplete (400) goes back to the page it came from with the message in its banner, where the
person can put it right: what they typed is kept for that page to show again (`kept_answers`).
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.workflow import TransitionRefused

KEPT = "seedbed_kept_answers"


def refusal_response(
    request: HttpRequest, refused: TransitionRefused, back_url: str, *, form: str = ""
) -> HttpResponse:
    """`form` names the form on the page at `back_url` that was sent, for `kept_answers`."""
    if refused.status == 400:
        messages.error(request, refused.message)
        request.session[KEPT] = {
            "url": back_url,
            "form": form,
            # A field sent more than once (rows of a table) keeps every value, in order.
            "answers": {
                name: values if len(values) > 1 else values[0]
                for name, values in request.POST.lists()
                if name not in {"csrfmiddlewaretoken", "expected_status"}
            },
        }
        return redirect(back_url)
    return refusal_page(request, refused.message, refused.status, back_url)


def refusal_page(
    request: HttpRequest, message: str, status: int, back_url: str = ""
) -> HttpResponse:
    """The page that says why a change can't happen now, and links back to where it was tried:
    in the staff area's own layout when it was tried there, so an officer stays where they work."""
    context = {"message": message, "back_url": back_url}
    if request.path.startswith(reverse("wagtailadmin_home")):
        return render(
            request,
            "core/admin/refused.html",
            {
                **context,
                "page_title": "This can’t be done now",
                "header_title": "This can’t be done now",
            },
            status=status,
        )
    return render(request, "409.html", context, status=status)


def kept_answers(request: HttpRequest) -> dict[str, Any]:
    """What the person typed into a form this page sent and that was refused, once: the form's
    name and its answers, or an empty dict."""
    kept = request.session.get(KEPT)
    if not kept or kept.get("url") != request.get_full_path():
        return {}
    del request.session[KEPT]
    return {"form": kept["form"], "answers": kept["answers"]}
