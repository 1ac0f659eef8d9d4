from django.core.cache import cache
from django.db import models

ISSUE_AREAS_CACHE_KEY = "outcomes:issue-areas"


class IssueArea(models.Model):
    """One thing a family may choose to want help with on their own pages. The list, its wording and
    its order are the council's: set in the admin."""

    slug = models.SlugField(max_length=60, unique=True)
    issue = models.CharField(
        max_length=100,
        unique=True,
        help_text="What is recorded and reported on, for example “housing”. Reports group by it, "
        "so keep it when changing the wording families see.",
    )
    label = models.CharField(max_length=120, help_text="As families see it: “Your home”.")
    subject = models.CharField(
        max_length=120, help_text="The same in the middle of a sentence: “your home”."
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Untick to stop offering it; records that have it keep it."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        cache.delete(ISSUE_AREAS_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(ISSUE_AREAS_CACHE_KEY)
        return result
