from django.contrib.auth.models import Group
from django.db import models


class RolePolicy(models.Model):
    """What holding a role implies beyond its permissions; set per group in the admin."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="policy")
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    requires_mfa = models.BooleanField(
        default=True,
        help_text="People with this role must set up two-step sign-in before they can do anything else.",
    )

    class Meta:
        verbose_name = "role policy"
        verbose_name_plural = "role policies"
        ordering = ["group__name"]

    def __str__(self) -> str:
        return self.group.name
