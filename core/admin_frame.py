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

A list that also names `results_records` (the models its rows show) is remembered whole, frame and
results together, under the frame's key, the versions of those models' records and today's date
(a filter such as "overdue" depends on it). A request for it then fetches no rows at all: any
record of those models saved or deleted, anywhere, replaces its version, and the next request
works the page out afresh. Code that changes such records with `QuerySet.update` or `bulk_create`
must call core.access.records_changed (see core.access).

The only other part that changes from one request to the next is the CSRF token, which is
replaced by a fresh one each time. A page with messages waiting to be shown, an export and a
results-only request (live search) are rendered by Wagtail as usual. Frames are kept in memory,
not in the shared cache, so a deployment (new templates, static files or menu) starts afresh.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.forms.models import ModelChoiceField
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import select_template
from django.utils import timezone, translation

from core.access import ACCESS_TTL, flags, records_versions, versions_for
from core.memory import ProcessMemory

RESULTS_MARKER = "<!--seedbed:listing-results-->"
TOKEN_MARKER = "\x00seedbed-csrf-token\x00"  # noqa: S105 - a placeholder, replaced per request
FRAME_TTL = ACCESS_TTL
MAX_FRAMES = 200  # about 70 kB each

_CSRF_IN_CONFIG = re.compile(r'"CSRF_TOKEN": "([A-Za-z0-9]+)"')


@dataclass(frozen=True)
class Frame:
    before: str
    after: str


frames: ProcessMemory[str, Frame] = ProcessMemory(MAX_FRAMES, max_age=FRAME_TTL)
#: Whole pages of lists with `results_records`, under their page keys.
pages: ProcessMemory[str, str] = ProcessMemory(MAX_FRAMES, max_age=FRAME_TTL)
#: The models each list's filters offer, found when its frame is first rendered.
_frame_models_of: dict[type, list[Any]] = {}


class RememberedFrameMixin:
    """For a Wagtail IndexView: see the module's docstring. Off unless `remember_frame`."""

    remember_frame = False
    #: Other models whose records the frame shows (the filters' own models are found).
    frame_records: tuple[Any, ...] = ()
    #: The models whose records the results show: with them, the whole page is remembered.
    results_records: tuple[Any, ...] = ()
    #: Where the results go while the frame is rendered (it prints RESULTS_MARKER).
    frame_marker_template_name = "core/admin/frame_results_marker.html"

    request: Any
    results_only: bool
    results_template_name: str

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self._page_key = self.page_key() if self._frame_applies() else None
        if self._page_key is not None and (page := pages.get(self._page_key)) is not None:
            return HttpResponse(page.replace(TOKEN_MARKER, get_token(request)))
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

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
        # The key as it was before the rows were read: a change since then has replaced it.
        page_key = getattr(self, "_page_key", None)
        if page_key is not None and TOKEN_MARKER not in results:
            pages.put(page_key, frame.before + results + frame.after)
        token = get_token(self.request)
        return HttpResponse(
            frame.before.replace(TOKEN_MARKER, token)
            + results
            + frame.after.replace(TOKEN_MARKER, token)
        )

    def page_key(self) -> str | None:
        """The key of the whole page, or None if it is not remembered. It needs the models the
        filters offer, which are known once the frame has been rendered once in this process."""
        if not self.results_records:
            return None
        frame_models = _frame_models_of.get(type(self))
        if frame_models is None:
            return None
        user = self.request.user
        records = records_versions(user, self.results_records)
        frame = self._frame_parts(frame_models)
        if records is None or frame is None:
            return None
        parts = [*frame, repr(records), timezone.localdate().isoformat()]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

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
        models = self.frame_models()
        _frame_models_of[type(self)] = models
        parts = self._frame_parts(models)
        return None if parts is None else hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def _frame_parts(self, frame_models: list[Any]) -> list[str] | None:
        request = self.request
        user = request.user
        versions = versions_for(user)
        records = records_versions(user, frame_models)
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
        return parts

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
        )


def _profile_state(profile: Any) -> tuple[Any, ...]:
    """Every stored value of the person's Wagtail profile: what the frame may show of it."""
    if profile is None:
        return ()
    return tuple(
        (field.attname, getattr(profile, field.attname)) for field in profile._meta.concrete_fields
    )
