"""Every GET-able address in the URL configuration, made concrete, so a new page is swept the day it
is added."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _concrete(route: str, ids: dict[str, int]) -> str:
    if route.endswith("((?:[\\w\\-]+/)*)$"):  # Wagtail's page tree: its home page stands for it
        route = route.removesuffix("((?:[\\w\\-]+/)*)$")
    # A real object's id where the test made one, else 1 (which may or may not exist).
    number = next((str(pk) for start, pk in ids.items() if route.startswith(start)), "1")
    route = _NAMED_GROUP.sub(
        lambda m: number if m[1] in {"pk", "revision_id_a", "revision_id_b"} else "abc", route
    )
    route = _CONVERTER.sub(lambda m: number if m[1] == "int" else "abc", route)
    route = route.replace("(\\d+)", number).replace("(.*)", "file.pdf").replace(".*", "abc")
    return "/" + route.replace("^", "").replace("$", "").replace("\\.", ".")


def every_get_path(ids: dict[str, int] | None = None) -> list[str]:
    """One concrete path per URL pattern. Sign-out pages come last, so a sweep stays signed in."""
    paths = sorted({_concrete(route, ids or {}) for route in _routes(get_resolver())})
    return sorted(paths, key=lambda path: "logout" in path)
