"""Registering an app's admin screens: their permission policies first, then the viewsets."""

from collections.abc import Iterable, Iterator
from typing import Any

from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy


def _each_viewset(registerables: Iterable[Any]) -> Iterator[Any]:
    for registerable in registerables:
        if isinstance(registerable, ViewSetGroup):
            yield from _each_viewset(registerable.registerables)
        else:
            yield registerable


def register_policies(viewsets: Iterable[Any]) -> None:
    """Call at import time in wagtail_hooks.py: Wagtail refuses a model's own policy once it has
    made a default one for it."""
    for viewset in _each_viewset(viewsets):
        register_permission_policy(viewset.model, viewset.permission_policy, exact_class=True)
