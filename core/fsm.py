"""Workflow models' shared base."""

from typing import Any

from django.db import models

from django_fsm import FSMFieldMixin, FSMModelMixin


class WorkflowModelMixin(FSMModelMixin):
    """Lets `refresh_from_db` reload a protected status, safely under threads.

    django-fsm's own mixin unprotects the *field*, which every instance and thread shares, for the
    length of the reload; a thread reloading at the same time can find it protected again halfway
    and fail. This takes the stale value off the instance instead, so nothing shared changes.
    """

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("fields") or (args[1] if len(args) > 1 else None)
        for field in self._meta.concrete_fields:
            if (
                isinstance(field, FSMFieldMixin)
                and field.protected
                and (fields is None or field.attname in fields or field.name in fields)
            ):
                self.__dict__.pop(field.attname, None)
        models.Model.refresh_from_db(self, *args, **kwargs)
