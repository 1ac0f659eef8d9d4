"""Downloads made for someone (committee reports, application lists) are kept for a few days, then
their files and rows are removed: a copy of personal data nobody is fetching is a risk, not a help."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


def exports_delete_older_than(model: type[models.Model], *, days: int, at_field: str) -> int:
    """Delete `model` rows (and their `file`) made more than `days` ago. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for export in model._default_manager.filter(**{f"{at_field}__lt": cutoff}).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed


def download_retention_days() -> int:
    return int(getattr(settings, "DOWNLOAD_RETENTION_DAYS", 7))
