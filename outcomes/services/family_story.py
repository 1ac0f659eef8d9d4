"""A family telling their story through a link: what they are asked, saving each answer as they go,
and sending it once.

Every write here runs on the link's draft checkpoint, locked for the length of the change, and
refuses once the checkpoint has been sent: after that the story is the family's to read and keep,
not to edit.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models.audit import AuditAction
from outcomes.enums import CheckpointKind, CheckpointStatus, MeasureType
from outcomes.models import (
    Checkpoint,
    CheckpointLink,
    DomainScore,
    Episode,
    FamilyRecord,
    FrameworkDomain,
    IssueArea,
    Narrative,
    TriagedIssue,
    TriageLevel,
)
from outcomes.models.issue_areas import ISSUE_AREAS_CACHE_KEY
from outcomes.services.links import link_checkpoint
from outcomes.services.records import checkpoint_submit

OWN_WORDS_PROMPT = "In your own words, how are things?"
GOAL_SLOTS = 3
OTHER_ISSUE_MAX_LENGTH = 100
FAMILY_REASON = "Sent by the family through their link (no account)"
ASSISTED_REASON = "Sent by the family, with the practitioner who made the link, through their link"


def _all_areas() -> tuple[IssueArea, ...]:
    areas = cache.get(ISSUE_AREAS_CACHE_KEY)
    if areas is None:
        areas = tuple(IssueArea.objects.all())
        cache.set(ISSUE_AREAS_CACHE_KEY, areas, 300)
    return areas


def issue_areas() -> tuple[IssueArea, ...]:
    """The areas families are offered, in order: the council's list (outcomes.IssueArea)."""
    return tuple(area for area in _all_areas() if area.is_active)


def areas_by_slug() -> dict[str, IssueArea]:
    return {area.slug: area for area in issue_areas()}


def known_issues() -> set[str]:
    """Every listed area's issue, offered now or not: a retired area is still not "something else"."""
    return {area.issue for area in _all_areas()}


OTHER_SLUG = "something-else"


class StoryAlreadySent(Exception):
    """The family has sent this story; it can be read and downloaded but not changed."""


class NothingToSend(Exception):
    """Nothing has been answered yet."""


@dataclass
class Answer:
    question: str
    answer: list[str]
    step: str  # where to change it: "areas", "help", "question" or "own-words"
    key: str = ""
    answered: bool = True


@dataclass
class Section:
    title: str
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Story:
    """Everything a family's pages need, read once per request."""

    link: CheckpointLink
    checkpoint: Checkpoint | None
    levels: list[TriageLevel]
    domains: list[FrameworkDomain]
    issues: list[TriagedIssue]
    scores: dict[int, DomainScore]
    narrative: Narrative | None

    @property
    def episode(self) -> Episode:
        return self.link.episode

    @property
    def family(self) -> FamilyRecord:
        return self.link.episode.family

    @property
    def started(self) -> bool:
        return self.checkpoint is not None

    @property
    def sent(self) -> bool:
        return self.checkpoint is not None and self.checkpoint.status == CheckpointStatus.SUBMITTED

    @property
    def asks_about_help(self) -> bool:
        return bool(self.levels)

    def issue_for(self, area: IssueArea) -> TriagedIssue | None:
        return next((issue for issue in self.issues if issue.issue == area.issue), None)

    @property
    def other_issue(self) -> TriagedIssue | None:
        known = known_issues()
        return next((issue for issue in self.issues if issue.issue not in known), None)

    def domain(self, key: str) -> FrameworkDomain | None:
        return next((domain for domain in self.domains if domain.key == key), None)

    def area_slugs_with_answers(self) -> list[str]:
        slugs = [area.slug for area in issue_areas() if self.issue_for(area)]
        return slugs + ([OTHER_SLUG] if self.other_issue else [])

    def first_unanswered(self) -> tuple[str, str]:
        """Where to carry on: the first question not yet answered, or the check page."""
        if not self.started:
            return ("areas", "") if self.asks_about_help else self._first_domain_step()
        return self._first_domain_step()

    def _first_domain_step(self) -> tuple[str, str]:
        for domain in self.domains:
            if domain.pk not in self.scores:
                return ("question", domain.key)
        if self.narrative is None:
            return ("own-words", "")
        return ("check", "")


def story_load(link: CheckpointLink) -> Story:
    episode = link.episode
    framework = episode.framework_version.framework
    levels = list(framework.triage_scale.levels.order_by("order")) if framework.triage_scale else []
    domains = list(episode.framework_version.domains.order_by("order"))
    checkpoint = link_checkpoint(link)
    issues: list[TriagedIssue] = []
    scores: dict[int, DomainScore] = {}
    narrative = None
    if checkpoint is not None:
        issues = list(checkpoint.issues.select_related("level"))
        scores = {score.domain_id: score for score in checkpoint.scores.select_related("level")}
        narrative = checkpoint.narratives.filter(
            written_by_family=True, prompt=OWN_WORDS_PROMPT
        ).first()
    return Story(
        link=link,
        checkpoint=checkpoint,
        levels=levels,
        domains=domains,
        issues=issues,
        scores=scores,
        narrative=narrative,
    )


def area_subject(story: Story, slug: str) -> str | None:
    """What a help page asks about: a listed area, or the family's own 'something else'."""
    if slug == OTHER_SLUG:
        other = story.other_issue
        return other.issue if other else None
    area = areas_by_slug().get(slug)
    return area.subject if area else None


# Writing answers -------------------------------------------------------------------------------


def _draft_for_update(link: CheckpointLink) -> Checkpoint:
    """The link's draft, locked; made (in draft, dated today, as the family's own) on first save."""
    checkpoint = link_checkpoint(link)
    if checkpoint is None:
        # Lock the episode so two first saves at once make one checkpoint, not two.
        Episode.objects.select_for_update().get(pk=link.episode_id)
        checkpoint = link_checkpoint(link)
    if checkpoint is None:
        checkpoint = Checkpoint.objects.create(
            episode_id=link.episode_id,
            kind=link.kind,
            recorded_on=timezone.localdate(),
            self_reported=True,
            assisted_by=link.created_by if link.assisted else None,
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=checkpoint,
            to_state=CheckpointStatus.DRAFT,
            reason="Started by the family through their link (no account)",
            detail={"link": link.pk, "assisted": link.assisted},
        )
        return checkpoint
    checkpoint = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
    if checkpoint.status != CheckpointStatus.DRAFT:
        raise StoryAlreadySent()
    changed = []
    if not checkpoint.self_reported:
        checkpoint.self_reported = True
        changed.append("self_reported")
    if link.assisted and checkpoint.assisted_by_id is None and link.created_by_id:
        checkpoint.assisted_by_id = link.created_by_id
        changed.append("assisted_by")
    if changed:
        checkpoint.save(update_fields=changed)
    return checkpoint


@transaction.atomic
def story_areas_save(*, link: CheckpointLink, areas: list[str], other: str) -> Checkpoint:
    """Keep the help levels of the areas still chosen, forget the rest, and keep the family's
    'something else' in their words (renaming it keeps the level they gave it)."""
    checkpoint = _draft_for_update(link)
    by_slug, known = areas_by_slug(), known_issues()
    kept = {by_slug[slug].issue for slug in areas if slug in by_slug}
    issues = list(checkpoint.issues.all())
    for issue in issues:
        if issue.issue in known and issue.issue not in kept:
            issue.delete()
    others = [issue for issue in issues if issue.issue not in known]
    other = other[:OTHER_ISSUE_MAX_LENGTH]
    if others:
        if not other or other.lower() in known:
            others[0].delete()
        elif others[0].issue != other:
            others[0].issue = other
            others[0].save(update_fields=["issue"])
    return checkpoint


@transaction.atomic
def story_help_save(
    *, link: CheckpointLink, slug: str, level: TriageLevel, other: str = ""
) -> TriagedIssue:
    """How much help the family would like with one area (or with their 'something else')."""
    if slug == OTHER_SLUG and (not other or other.lower() in known_issues()):
        raise ValueError("Something else needs the family's own words, not a listed area.")
    checkpoint = _draft_for_update(link)
    if slug == OTHER_SLUG:
        existing = checkpoint.issues.exclude(issue__in=known_issues()).first()
        if existing is None:
            return TriagedIssue.objects.create(checkpoint=checkpoint, issue=other, level=level)
        existing.level = level
        existing.save(update_fields=["level"])
        return existing
    issue, _ = TriagedIssue.objects.update_or_create(
        checkpoint=checkpoint, issue=areas_by_slug()[slug].issue, defaults={"level": level}
    )
    return issue


@transaction.atomic
def story_score_save(
    *,
    link: CheckpointLink,
    domain: FrameworkDomain,
    score: int | None = None,
    answer: bool | None = None,
    level: TriageLevel | None = None,
    goals: list[dict] | None = None,
) -> DomainScore:
    if domain.version_id != link.episode.framework_version_id:
        raise ValueError("That question is not part of this family's framework.")
    checkpoint = _draft_for_update(link)
    values = {"score": None, "answer": None, "level": None, "goals": []}
    if domain.measure == MeasureType.SCALE:
        values["score"] = score
    elif domain.measure == MeasureType.YES_NO:
        values["answer"] = answer
    elif domain.measure == MeasureType.TRIAGE_LEVEL:
        values["level"] = level
    else:
        values["goals"] = [
            {"goal": str(goal["goal"])[:200], "rating": int(goal["rating"])}
            for goal in (goals or [])[:GOAL_SLOTS]
        ]
    result, _ = DomainScore.objects.update_or_create(
        checkpoint=checkpoint, domain=domain, defaults=values
    )
    return result


@transaction.atomic
def story_own_words_save(*, link: CheckpointLink, text: str) -> Narrative | None:
    """The family's own words. Until they send it, they may change or clear what they wrote."""
    checkpoint = _draft_for_update(link)
    narratives = checkpoint.narratives.filter(written_by_family=True, prompt=OWN_WORDS_PROMPT)
    existing = narratives.first()
    if not text:
        narratives.delete()
        return None
    if existing is None:
        return Narrative.objects.create(
            checkpoint=checkpoint, prompt=OWN_WORDS_PROMPT, text=text, written_by_family=True
        )
    if existing.text != text:
        existing.text = text
        existing.save(update_fields=["text"])
    return existing


def story_send(*, link: CheckpointLink) -> tuple[Checkpoint, bool]:
    """Send the story. Sending again, or twice at once, sends it once: the second gets
    `(checkpoint, False)`."""
    with transaction.atomic():
        checkpoint = link_checkpoint(link)
        if checkpoint is None:
            raise NothingToSend()
        checkpoint = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
        if checkpoint.status == CheckpointStatus.SUBMITTED:
            return checkpoint, False
        checkpoint_submit(
            checkpoint=checkpoint,
            by=None,
            reason=ASSISTED_REASON if link.assisted else FAMILY_REASON,
        )
    return checkpoint, True


# Reading it back -------------------------------------------------------------------------------


def _scored(domain: FrameworkDomain, score: DomainScore | None) -> list[str]:
    if score is None:
        return []
    if domain.measure == MeasureType.SCALE and score.score is not None:
        return [f"{score.score} out of 10"]
    if domain.measure == MeasureType.YES_NO and score.answer is not None:
        return ["Yes" if score.answer else "No"]
    if domain.measure == MeasureType.TRIAGE_LEVEL and score.level is not None:
        return [score.level.family_label]
    if domain.measure == MeasureType.GOALS:
        return [f"{goal['goal']} – {goal['rating']} out of 10" for goal in score.goals]
    return []


def story_answers(
    story: Story, *, chosen: list[str] | None = None, other: str = ""
) -> list[Section]:
    """The story as the family told it, in the order they were asked. `chosen` and `other` add
    what was ticked or written but not yet given a level, for the page where they check it all."""
    sections = []
    if story.asks_about_help:
        help_section = Section("What you would like help with")
        slugs = list(dict.fromkeys([*story.area_slugs_with_answers(), *(chosen or [])]))
        by_slug = areas_by_slug()
        subjects = [by_slug[slug].label for slug in slugs if slug in by_slug]
        other = story.other_issue.issue if story.other_issue else other
        if other:
            subjects.append(other)
        help_section.answers.append(
            Answer("Things you would like help with", subjects or ["None of these"], "areas")
        )
        for area in issue_areas():
            issue = story.issue_for(area)
            if issue or area.slug in slugs:
                words = [issue.level.family_label] if issue else []
                help_section.answers.append(
                    Answer(area.label, words or ["Not answered"], "help", area.slug, bool(words))
                )
        if other:
            words = [story.other_issue.level.family_label] if story.other_issue else []
            help_section.answers.append(
                Answer(other, words or ["Not answered"], "help", OTHER_SLUG, bool(words))
            )
        sections.append(help_section)
    about = Section("How things are")
    for domain in story.domains:
        words = _scored(domain, story.scores.get(domain.pk))
        about.answers.append(
            Answer(domain.question, words or ["Not answered"], "question", domain.key, bool(words))
        )
    if about.answers:
        sections.append(about)
    own = Section("In your own words")
    text = story.narrative.text if story.narrative else ""
    own.answers.append(
        Answer(OWN_WORDS_PROMPT, text.splitlines() or ["Not answered"], "own-words", "", bool(text))
    )
    sections.append(own)
    return sections


def story_sent_on(story: Story) -> datetime.date | None:
    if story.checkpoint is None or story.checkpoint.submitted_at is None:
        return None
    return timezone.localtime(story.checkpoint.submitted_at).date()


def story_downloaded(story: Story) -> None:
    """The family took a copy of their story: noted, as every read of a family's record is."""
    if story.checkpoint is not None:
        audit_record(
            actor=None,
            action=AuditAction.DOWNLOAD,
            obj=story.checkpoint,
            reason="Downloaded by the family through their link (no account)",
            detail={"link": story.link.pk},
        )


KIND_INTROS = {
    CheckpointKind.ASSESSMENT: "Tell us how things are",
    CheckpointKind.REVIEW: "Tell us how things are going",
    CheckpointKind.CLOSURE: "Tell us how things are now",
}
