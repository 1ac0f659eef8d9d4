"""Links a family uses to tell their story without an account.

A link is a `CheckpointLink` row and a signed token that carries only the row's id. The token is
signed with a salt of its own and pinned to the moment the link was made, so the same link always
has the same address (a printed QR code keeps working) and a token can never be moved to another
row. Whether a link still works is decided by the row: not revoked, not past its expiry.
"""

import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core.audit import audit_record
from core.models import User
from core.models.audit import AuditAction
from outcomes.enums import CheckpointKind, CheckpointStatus, EpisodeStatus
from outcomes.models import Checkpoint, CheckpointLink, Episode
from outcomes.permissions import can_view_family

# Namespaces these signatures, so no other signed value from this site can pass for a link.
SIGNING_SALT = "outcomes.checkpoint-link"
DEFAULT_DAYS = 14
LONGEST_DAYS = 90


def default_days() -> int:
    return int(getattr(settings, "OUTCOMES_LINK_DAYS", DEFAULT_DAYS))


class LinkRefused(Exception):
    """A link cannot be made: the reason is written for the practitioner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LinkProblem(enum.Enum):
    INVALID = 404  # tampered with, mistyped, or for a record that no longer exists
    EXPIRED = 410
    REVOKED = 410


class LinkUnusable(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.name.lower())
        self.problem = problem

    @property
    def status(self) -> int:
        return self.problem.value


class _PinnedSigner(signing.TimestampSigner):
    """A timestamp signer whose timestamp is the link's creation time, not the time of signing."""

    def __init__(self, *, at: datetime.datetime | None = None) -> None:
        super().__init__(salt=SIGNING_SALT, sep=".")
        self._at = at

    def timestamp(self) -> str:
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))


def link_token(link: CheckpointLink) -> str:
    return _PinnedSigner(at=link.created_at).sign(str(link.pk))


def link_from_token(token: str) -> CheckpointLink:
    """The link a token opens, or `LinkUnusable` saying why not. Never says whose link it was."""
    try:
        value = _PinnedSigner().unsign(token, max_age=datetime.timedelta(days=LONGEST_DAYS + 1))
    except signing.SignatureExpired as exc:
        raise LinkUnusable(LinkProblem.EXPIRED) from exc
    except signing.BadSignature as exc:
        raise LinkUnusable(LinkProblem.INVALID) from exc
    if not (value.isascii() and value.isdigit()):
        raise LinkUnusable(LinkProblem.INVALID)
    link = (
        CheckpointLink.objects.select_related(
            "episode__family__supporting_organisation", "episode__framework_version__framework"
        )
        .filter(pk=int(value))
        .first()
    )
    if link is None or not constant_time_compare(token, link_token(link)):
        raise LinkUnusable(LinkProblem.INVALID)
    if link.revoked_at is not None:
        raise LinkUnusable(LinkProblem.REVOKED)
    if link.expires_at <= timezone.now():
        raise LinkUnusable(LinkProblem.EXPIRED)
    return link


def link_checkpoint(link: CheckpointLink) -> Checkpoint | None:
    """The checkpoint a link fills in, if the family has started it.

    An episode has at most one assessment and one closure. For reviews, a link works on the one
    review being filled in; once that is sent, the link shows the review sent while it was live.
    """
    checkpoints = Checkpoint.objects.filter(episode_id=link.episode_id, kind=link.kind)
    if link.kind != CheckpointKind.REVIEW:
        return checkpoints.first()
    ends = min(filter(None, [link.expires_at, link.revoked_at]))
    sent = checkpoints.filter(
        status=CheckpointStatus.SUBMITTED, submitted_at__gte=link.created_at, submitted_at__lte=ends
    )
    # The first sent while the link was live: a later review sent through a newer link may also
    # fall in this link's lifetime, but it cannot come before this link's own.
    return (
        sent.order_by("submitted_at", "id").first()
        or checkpoints.filter(status=CheckpointStatus.DRAFT).order_by("-id").first()
    )


@dataclass(frozen=True)
class LinkState:
    label: str
    colour: str
    usable: bool  # the family can still open it
    sent: bool = False  # ...but only to read what they sent


def link_state(link: CheckpointLink) -> LinkState:
    """How a link stands, in words a practitioner reads on their list."""
    if link.revoked_at is not None:
        return LinkState("Stopped", "grey", False)
    if link.expires_at <= timezone.now():
        return LinkState("Expired", "grey", False)
    checkpoint = link_checkpoint(link)
    if checkpoint is not None and checkpoint.status == CheckpointStatus.SUBMITTED:
        return LinkState("Sent", "green", True, sent=True)
    if checkpoint is not None:
        return LinkState("Started", "yellow", True)
    return LinkState("Not opened yet", "blue", True)


def link_create(
    *,
    episode: Episode,
    kind: str,
    by: User,
    assisted: bool = False,
    days: int | None = None,
) -> CheckpointLink:
    """Make a link for one family's episode and one checkpoint. A new link for the same episode and
    checkpoint stops older ones that could still change answers, so only the newest link given out
    can be used to fill it in."""
    if not can_view_family(by, episode.family):
        raise PermissionDenied("You cannot make links for this family.")
    if kind not in CheckpointKind.values:
        raise LinkRefused("Choose when this is: at the start, a review, or at the end.")
    days = default_days() if days is None else days
    if not 1 <= days <= LONGEST_DAYS:
        raise LinkRefused(f"A link can last from 1 to {LONGEST_DAYS} days.")
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode.pk)
        if episode.status != EpisodeStatus.OPEN:
            raise LinkRefused("This piece of help has ended, so a new link cannot be made for it.")
        if (
            kind != CheckpointKind.REVIEW
            and Checkpoint.objects.filter(
                episode=episode, kind=kind, status=CheckpointStatus.SUBMITTED
            ).exists()
        ):
            raise LinkRefused(f"The family’s {kind} for this episode has already been sent.")
        now = timezone.now()
        live = CheckpointLink.objects.filter(
            episode=episode, kind=kind, revoked_at__isnull=True, expires_at__gt=now
        )
        # A link whose answers were sent only shows them now; the family keeps it until it expires.
        replaced = [old for old in live if not link_state(old).sent]
        for old in replaced:
            _revoke(old, by=by, reason="A new link was made for the same family and time")
        link = CheckpointLink.objects.create(
            episode=episode,
            kind=kind,
            created_by=by,
            assisted=assisted,
            expires_at=now + datetime.timedelta(days=days),
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=link,
            to_state="usable",
            reason="Link made for a family to tell their story",
            detail={
                "episode": episode.pk,
                "kind": kind,
                "assisted": assisted,
                "expires_at": link.expires_at.isoformat(),
                "replaces": [old.pk for old in replaced],
            },
        )
    return link


def link_revoke(*, link: CheckpointLink, by: User, reason: str = "") -> CheckpointLink:
    """Stop a link working. What the family already told us is kept."""
    if not can_view_family(by, link.episode.family):
        raise PermissionDenied("You cannot change links for this family.")
    with transaction.atomic():
        link = CheckpointLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is None:
            _revoke(link, by=by, reason=reason or "Stopped by a practitioner")
    return link


def _revoke(link: CheckpointLink, *, by: User, reason: str) -> None:
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=link,
        from_state="usable",
        to_state="revoked",
        reason=reason,
        detail={"episode": link.episode_id, "kind": link.kind},
    )
