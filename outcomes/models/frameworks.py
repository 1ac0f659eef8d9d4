"""Outcomes frameworks are data: a council defines its own, and old records keep the version they used."""

from django.db import models

from outcomes.enums import MeasureType


class TriageScale(models.Model):
    """A colour-coded scale of how much help an issue needs (blue, green, yellow, orange…)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TriageLevel(models.Model):
    scale = models.ForeignKey(TriageScale, on_delete=models.CASCADE, related_name="levels")
    key = models.SlugField(max_length=30, help_text="Used in imports and reports, e.g. 'blue'.")
    label = models.CharField(max_length=80, help_text="For staff, e.g. 'Self-help'.")
    family_label = models.CharField(
        max_length=150, help_text="What a family reads, e.g. 'We can sort this out ourselves'."
    )
    colour = models.CharField(max_length=7, help_text="A hex colour, e.g. #1d70b8.")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "key"], name="unique_level_key_per_scale"),
            models.UniqueConstraint(fields=["scale", "order"], name="unique_level_order_per_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.label})"


class Framework(models.Model):
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where it comes from and under what licence."
    )
    triage_scale = models.ForeignKey(
        TriageScale,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        help_text="The scale used for triaged issues in episodes under this framework.",
    )
    retention_months = models.PositiveSmallIntegerField(
        default=72,
        help_text="How long after an episode closes its records are kept (72 = 6 years).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "FrameworkVersion | None":
        return self.versions.order_by("-number").first()


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="unique_framework_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"


class FrameworkDomain(models.Model):
    """One outcome or domain of a framework version, with the way it is measured."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="domains")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    question = models.CharField(
        max_length=300, help_text="How the question is put to a family, in plain words."
    )
    measure = models.CharField(max_length=20, choices=MeasureType.choices)
    low_label = models.CharField(
        max_length=100, blank=True, help_text="For a 1–10 scale: what 1 means."
    )
    high_label = models.CharField(
        max_length=100, blank=True, help_text="For a 1–10 scale: what 10 means."
    )
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="unique_domain_key_per_version"
            ),
        ]

    def __str__(self) -> str:
        return self.label
