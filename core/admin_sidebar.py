"""The staff admin's sidebar, built once per person and kept until what they may see changes.

Wagtail builds the whole sidebar on every admin page: each menu item asks whether the person may
see it (model permissions, and three queries for page, collection and site permissions), and the
result is packed into JSON for the browser. On the officers' list of applications that was about
an eighth of the page. The JSON depends only on who the person is and what they may do, so it is
kept in the shared cache under the versions of core.access (forgotten when their roles, their
account or what a role means change) and under a digest of everything else it shows (language,
name, avatar, dismissed hints, and the menu itself, which changes only with a deployment).

It holds no CSRF token and nothing about the request beyond the person. If any of Wagtail's menu
"construct" hooks is registered (they are given the request and may depend on it), nothing is
kept and the sidebar is built each time, as Wagtail does.
"""

import functools
import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem, admin_menu
from wagtail.admin.search import admin_search_areas
from wagtail.admin.templatetags import wagtailadmin_tags

from core.access import ACCESS_TTL, flags, versions_for

CONSTRUCT_HOOKS = (
    "construct_main_menu",
    "construct_settings_menu",
    "construct_reports_menu",
    "construct_help_menu",
)


def _key(user: Any) -> str:
    return f"admin-sidebar:{user.pk}"


def sidebar_props(request: HttpRequest) -> SafeString:
    """Wagtail's `{% sidebar_props %}`, remembered per person."""
    user = request.user
    if not _rememberable(user):
        return _build(request)
    versions = versions_for(user)  # read before building: see core.access
    if versions is None:
        return _build(request)
    variant = _variant(user)
    entry = cache.get(_key(user))
    if (
        isinstance(entry, tuple)
        and len(entry) == 4
        and entry[:3] == (versions, flags(user), variant)
    ):
        return mark_safe(entry[3])  # Wagtail's own json_script output, stored as is
    html = _build(request)
    cache.set(_key(user), (versions, flags(user), variant, str(html)), ACCESS_TTL)
    return html


def _build(request: HttpRequest) -> SafeString:
    return wagtailadmin_tags.sidebar_props({"request": request})


def _rememberable(user: Any) -> bool:
    return (
        user.is_authenticated
        and user.pk is not None
        and not any(hooks.get_hooks(name) for name in CONSTRUCT_HOOKS)
    )


def _variant(user: Any) -> str:
    """Everything besides permissions that the sidebar shows for this person."""
    profile = getattr(user, "wagtail_userprofile", None)  # loaded by every admin page anyway
    parts = {
        "language": translation.get_language(),
        "name": getattr(user, "first_name", None) or user.get_username(),
        "avatar": wagtailadmin_tags.avatar_url(user, size=50),
        "dismissed": profile.dismissibles if profile is not None else {},
        "menu": menu_fingerprint(),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def menu_fingerprint() -> str:
    """What the registered menus and search areas are: the same in every worker of one
    deployment, different after a deployment that changes them."""
    import wagtail

    lines = [wagtail.__version__]

    def walk(menu: Any, depth: int) -> None:
        for item in menu.registered_menu_items:
            lines.append(
                f"{depth}|{type(item).__module__}.{type(item).__qualname__}|{item.name}"
                f"|{item.label}|{item.url}|{item.order}|{item.icon_name}|{item.classname}"
            )
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu, depth + 1)

    with translation.override(settings.LANGUAGE_CODE):
        walk(admin_menu, 0)
        for area in admin_search_areas.registered_search_areas:
            lines.append(f"search|{type(area).__qualname__}|{area.name}|{area.url}|{area.order}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
