from django.conf import settings
from django.db import models


class Codebook(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True,
        help_text="Words or phrases, one per line, that suggest this code. Suggestions only.",
    )

    class Meta:
        ordering = ["codebook", "label"]
        constraints = [models.UniqueConstraint(fields=["codebook", "key"], name="unique_code_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip().lower() for line in self.keywords.splitlines() if line.strip()]


class NarrativeCode(models.Model):
    narrative = models.ForeignKey(
        "outcomes.Narrative", on_delete=models.CASCADE, related_name="codings"
    )
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="codings")
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    coded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["narrative", "code"]
        constraints = [
            models.UniqueConstraint(fields=["narrative", "code"], name="code_once_per_narrative")
        ]

    def __str__(self) -> str:
        return f"{self.code} on narrative #{self.narrative_id}"
