"""Staff lists that render the admin around their rows once, not on every request.

A list in the staff admin is mostly frame: the page's head and scripts, the sidebar, the keyboard
shortcuts, the header with its search box, filters and buttons. Rendering that through Wagtail's
templates cost about 20 ms a request on the officers' list of applications, where the rows
themselves cost a few. The frame is the same from one request to the next as long as the same
person asks for the same list, so a list with `remember_frame = True` renders it with Wagtail's
own templates once, with a marker where the results go, and keeps it in this process's memory.
Each request then renders only the results (the same template Wagtail uses for them, and for its
live search) and puts them into the frame.

What the frame shows depends on, and so is remembered under:

- the list's path and its exact query string (search, filters, ordering, page);
- the person, with the versions of core.access (their roles and what a role may do) and their
  account flags, and their Wagtail profile (language, time zone, theme, dismissed hints, ...);
- the language and time zone in force, the sidebar's collapsed cookie, the browser (the keyboard
  shortcuts shown depend on it) and the host;
- the records the filters offer (the funds and localities this person may see, say): the frame is
  remembered under a version of each such model (core.access.follow_records), replaced whenever
  one of its records is saved or deleted, so a new or renamed record shows at once. A list whose
  filters offer records of a model that is not followed is rendered by Wagtail every time. A
  list whose choices also depend on other models names them in `frame_records`.

The only other part that changes from one request to the next is the CSRF token, which is
replaced by a fresh one each time. A page with messages waiting to be shown, an export and a
results-only request (live search) are rendered by Wagtail as usual. Frames are kept in memory,
not in the shared cache, so a deployment (new templates, static files or menu) starts afresh.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.forms.models import ModelChoiceField
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import select_template
from django.utils import timezone, translation

from core.access import ACCESS_TTL, flags, records_versions, versions_for

RESULTS_MARKER = "<!--seedbed:listing-results-->"
TOKEN_MARKER = "\x00seedbed-csrf-token\x00"  # noqa: S105 - a placeholder, replaced per request
FRAME_TTL = ACCESS_TTL
MAX_FRAMES = 200  # about 70 kB each

_CSRF_IN_CONFIG = re.compile(r'"CSRF_TOKEN": "([A-Za-z0-9]+)"')


@dataclass(frozen=True)
class Frame:
    before: str
    after: str
    made_at: float


class _Frames:
    """A small least-recently-used store, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, Frame] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Frame | None:
        with self.lock:
            frame = self.entries.get(key)
            if frame is None:
                return None
            if time.monotonic() - frame.made_at > FRAME_TTL:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return frame

    def put(self, key: str, frame: Frame) -> None:
        with self.lock:
            self.entries[key] = frame
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


frames = _Frames(MAX_FRAMES)


class RememberedFrameMixin:
    """For a Wagtail IndexView: see the module's docstring. Off unless `remember_frame`."""

    remember_frame = False
    #: Other models whose records the frame shows (the filters' own models are found).
    frame_records: tuple[Any, ...] = ()
    #: Where the results go while the frame is rendered (it prints RESULTS_MARKER).
    frame_marker_template_name = "core/admin/frame_results_marker.html"

    request: Any
    results_only: bool
    results_template_name: str

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> Any:
        key = self.frame_key(context) if self._frame_applies() else None
        if key is None:
            return super().render_to_response(context, **response_kwargs)  # type: ignore[misc]
        frame = frames.get(key)
        if frame is None:
            frame = self._render_frame(context, **response_kwargs)
            if frame is None:  # the page was not shaped as expected: render it as Wagtail does
                return super().render_to_response(context, **response_kwargs)  # type: ignore[misc]
            frames.put(key, frame)
        names = self.results_template_name
        results = select_template([names] if isinstance(names, str) else names).render(
            context, self.request
        )
        token = get_token(self.request)
        return HttpResponse(
            frame.before.replace(TOKEN_MARKER, token)
            + results
            + frame.after.replace(TOKEN_MARKER, token)
        )

    def _frame_applies(self) -> bool:
        request = self.request
        return (
            self.remember_frame
            and request.method == "GET"
            and not self.results_only
            and not getattr(self, "is_export", False)
            and request.user.is_authenticated
            # Messages are shown once, in the frame: a page that has some is rendered in full.
            and not len(messages.get_messages(request))
        )

    def frame_key(self, context: dict[str, Any]) -> str | None:
        request = self.request
        user = request.user
        versions = versions_for(user)
        records = records_versions(user, self.frame_models())
        if versions is None or records is None:
            return None
        profile = getattr(user, "wagtail_userprofile", None)
        parts = [
            type(self).__module__,
            type(self).__qualname__,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            str(user.pk),
            repr(versions),
            repr(flags(user)),
            repr(_profile_state(profile)),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            request.COOKIES.get("wagtail_sidebar_collapsed", ""),
            request.headers.get("User-Agent", ""),
            repr(records),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def frame_models(self) -> list[Any]:
        """The models whose records the frame shows: those the filters offer, and frame_records."""
        models = list(self.frame_records)
        filters = getattr(self, "filters", None)
        if filters:
            for field in filters.form.fields.values():
                if isinstance(field, ModelChoiceField) and field.queryset.model not in models:
                    models.append(field.queryset.model)
        return sorted(models, key=lambda model: model._meta.label_lower)

    def _render_frame(self, context: dict[str, Any], **response_kwargs: Any) -> Frame | None:
        results_template_name = self.results_template_name
        self.results_template_name = self.frame_marker_template_name
        try:
            response = super().render_to_response(context, **response_kwargs)  # type: ignore[misc]
            response.render()
        finally:
            self.results_template_name = results_template_name
        if response.status_code != 200:
            return None
        html = response.content.decode(response.charset)
        before, marker, after = html.partition(RESULTS_MARKER)
        token = _CSRF_IN_CONFIG.search(before)
        if not marker or RESULTS_MARKER in after or token is None:
            return None
        if 'nonce="' in html:
            # A CSP nonce is new on every response; a frame holding one would have its scripts or
            # styles refused on the next. Wagtail's admin uses none today.
            return None
        return Frame(
            before=before.replace(token.group(1), TOKEN_MARKER),
            after=after.replace(token.group(1), TOKEN_MARKER),
            made_at=time.monotonic(),
        )


def _profile_state(profile: Any) -> tuple[Any, ...]:
    """Every stored value of the person's Wagtail profile: what the frame may show of it."""
    if profile is None:
        return ()
    return tuple(
        (field.attname, getattr(profile, field.attname)) for field in profile._meta.concrete_fields
    )
