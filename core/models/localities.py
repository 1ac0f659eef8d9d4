from django.conf import settings
from django.db import models

from core.enums import BoardRole


class Locality(models.Model):
    """One of a borough's areas, with its own fund and advisory board."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class AdvisoryBoard(models.Model):
    """The community, parent and partner representatives who decide a locality's small grants."""

    locality = models.OneToOneField(Locality, on_delete=models.CASCADE, related_name="board")
    name = models.CharField(max_length=150)
    quorum = models.PositiveSmallIntegerField(
        default=3,
        help_text="Members without a conflict who must take part for a decision to stand.",
    )

    class Meta:
        ordering = ["locality__name"]

    def __str__(self) -> str:
        return self.name


class BoardMembership(models.Model):
    board = models.ForeignKey(AdvisoryBoard, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_memberships"
    )
    role = models.CharField(max_length=20, choices=BoardRole.choices)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["board", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="one_membership_per_board"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.board})"


class LocalityStaff(models.Model):
    """An officer's patch: a staff member sees only the localities they are placed in,
    unless their role grants borough-wide access (core.view_all_localities)."""

    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="locality_placements"
    )

    class Meta:
        verbose_name = "locality staff placement"
        constraints = [
            models.UniqueConstraint(fields=["locality", "user"], name="one_placement_per_locality"),
        ]
        permissions = [("view_all_localities", "Can see every locality's records")]

    def __str__(self) -> str:
        return f"{self.user} in {self.locality}"
