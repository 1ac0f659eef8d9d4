"""Demo data for outcomes: plausible, generated, with no real names, and a closed period whose
triage table is the one a council published (132 triages at assessment, 81 at closure)."""

import csv
import datetime
import io
import random

from django.db import transaction

from core.models import Locality, Organisation
from outcomes.enums import CaseOutcome, CheckpointKind, CheckpointStatus, ConsentScope
from outcomes.models import (
    Code,
    DomainScore,
    Episode,
    FamilyRecord,
    Framework,
    Narrative,
    NarrativeCode,
)
from outcomes.services.frameworks import frameworks_load
from outcomes.services.imports import outcome_import, triage_import

TABLE_ONE_PERIOD = (datetime.date(2020, 4, 1), datetime.date(2020, 9, 30))
ISSUES = [
    "housing",
    "money",
    "parenting",
    "school attendance",
    "emotional wellbeing",
    "relationships",
    "child behaviour",
    "health",
    "isolation",
    "substance use",
]
# Case outcomes for the 81 closures, close to the published split (53% closed positively).
TABLE_ONE_OUTCOMES = (
    [CaseOutcome.CLOSED_POSITIVE] * 43
    + [CaseOutcome.TRANSFERRED] * 2
    + [CaseOutcome.RELOCATED] * 2
    + [CaseOutcome.ESCALATED] * 12
    + [CaseOutcome.DECLINED] * 10
    + [CaseOutcome.DISENGAGED] * 12
)
NARRATIVES = [
    "We were behind on the rent and the landlord was talking about eviction. I couldn't sleep.",
    "My son's behaviour at school got him excluded twice. I felt like nobody was listening.",
    "I've been so anxious since the baby. Some days I can't cope with going out.",
    "We argue all the time about money and the kids hear it.",
    "Things are better now. The group helped me feel more confident and I'm managing the bills.",
    "I felt alone when we moved here. No family nearby and no one to talk to.",
    "We're waiting for an autism diagnosis and the school doesn't understand him.",
    "I'm proud of how calm the mornings are now. We have a routine that works.",
]


def _levels_at(index: int, stage: str) -> list[str]:
    """Which levels triage number `index` has, so the counts come out as published."""
    if stage == CheckpointKind.ASSESSMENT:  # 132 triages: blue 74, green 76, yellow 113, orange 95
        found = [
            ("blue", index < 74),
            ("green", index >= 56),
            ("yellow", index < 113),
            ("orange", index >= 37),
        ]
    else:  # 81 triages: blue 53, green 47, yellow 20, orange 18
        found = [
            ("blue", index < 53),
            ("green", index >= 34),
            ("yellow", index < 20),
            ("orange", index >= 63),
        ]
    return [level for level, present in found if present]


def table_one_csv(localities: list[str], *, prefix: str = "EH20") -> tuple[str, str]:
    """The triage and outcomes CSVs whose report reproduces the published Table 1."""
    triage = io.StringIO()
    writer = csv.writer(triage)
    writer.writerow(["episode_ref", "checkpoint", "recorded_on", "locality", "issue", "level"])
    start, _ = TABLE_ONE_PERIOD
    for index in range(132):
        ref = f"{prefix}-{index + 1:04d}"
        locality = localities[index % len(localities)]
        assessed = start + datetime.timedelta(days=index % 60)
        for position, level in enumerate(_levels_at(index, CheckpointKind.ASSESSMENT)):
            writer.writerow(
                [
                    ref,
                    "assessment",
                    assessed.isoformat(),
                    locality,
                    ISSUES[(index + position) % len(ISSUES)],
                    level,
                ]
            )
        if index < 81:
            closed = assessed + datetime.timedelta(days=60 + index % 40)
            for position, level in enumerate(_levels_at(index, CheckpointKind.CLOSURE)):
                writer.writerow(
                    [
                        ref,
                        "closure",
                        closed.isoformat(),
                        locality,
                        ISSUES[(index + position + 3) % len(ISSUES)],
                        level,
                    ]
                )
    outcomes = io.StringIO()
    writer = csv.writer(outcomes)
    writer.writerow(["episode_ref", "closed_on", "outcome"])
    for index in range(81):
        assessed = start + datetime.timedelta(days=index % 60)
        closed = assessed + datetime.timedelta(days=60 + index % 40)
        writer.writerow(
            [f"{prefix}-{index + 1:04d}", closed.isoformat(), TABLE_ONE_OUTCOMES[index].value]
        )
    return triage.getvalue(), outcomes.getvalue()


@transaction.atomic
def seed_outcomes() -> None:
    frameworks_load()
    triage_framework = Framework.objects.get(slug="early-help-triage")
    if Episode.objects.filter(reference__startswith="EH20-").exists():
        return
    localities = list(Locality.objects.order_by("name"))
    triage_csv, outcomes_csv = table_one_csv([locality.name for locality in localities])
    triage_import(io.StringIO(triage_csv), framework=triage_framework, source="demo")
    outcome_import(io.StringIO(outcomes_csv), source="demo")

    providers = list(
        Organisation.objects.filter(legal_form__in=["clg", "cic", "cio"]).order_by("name")[:4]
    )
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    childhood_offer = Framework.objects.get(slug="childhood-offer").current_version
    domains = list(childhood_offer.domains.all())
    codes = {code.key: code for code in Code.objects.all()}
    for index, episode in enumerate(
        Episode.objects.filter(reference__startswith="EH20-").select_related("family")
    ):
        family = episode.family
        family.supporting_organisation = providers[index % len(providers)] if providers else None
        family.consent_scope = (
            ConsentScope.ANONYMOUS_REPORTING if index % 4 else ConsentScope.PARTNERS
        )
        family.save(update_fields=["supporting_organisation", "consent_scope"])
        Episode.objects.filter(pk=episode.pk).update(provider=family.supporting_organisation)
        for checkpoint in episode.checkpoints.all():
            text = NARRATIVES[
                (index + (checkpoint.kind == CheckpointKind.CLOSURE) * 4) % len(NARRATIVES)
            ]
            narrative = Narrative.objects.create(
                checkpoint=checkpoint, prompt="How are things?", text=text
            )
            if index % 3 == 0:  # a third already coded, the rest waiting in the coding queue
                for code in codes.values():
                    if any(word in text.lower() for word in code.keyword_list):
                        NarrativeCode.objects.create(narrative=narrative, code=code)
                        break
    # A current year of Childhood Offer episodes with 1-10 scores, some still open.
    for index in range(40):
        locality = localities[index % len(localities)]
        family = FamilyRecord.objects.create(
            locality=locality,
            supporting_organisation=providers[index % len(providers)] if providers else None,
            consent_scope=ConsentScope.PARTNERS if index % 5 else ConsentScope.SUPPORT_ONLY,
        )
        started = datetime.date(2026, 4, 1) + datetime.timedelta(days=index * 3)
        episode = Episode.objects.create(
            family=family,
            reference=f"CO26-{index + 1:04d}",
            framework_version=childhood_offer,
            started_on=started,
            provider=family.supporting_organisation,
        )
        assessment = episode.checkpoints.create(
            kind=CheckpointKind.ASSESSMENT,
            recorded_on=started,
            status=CheckpointStatus.SUBMITTED,
            self_reported=index % 2 == 0,
        )
        for domain in domains:
            DomainScore.objects.create(
                checkpoint=assessment, domain=domain, score=rng.randint(2, 6)
            )
        Narrative.objects.create(
            checkpoint=assessment,
            prompt="How are things?",
            text=NARRATIVES[index % len(NARRATIVES)],
        )
        if index < 25:
            closed_on = started + datetime.timedelta(days=70)
            closure = episode.checkpoints.create(
                kind=CheckpointKind.CLOSURE,
                recorded_on=closed_on,
                status=CheckpointStatus.SUBMITTED,
            )
            for domain in domains:
                DomainScore.objects.create(
                    checkpoint=closure, domain=domain, score=rng.randint(5, 9)
                )
            Narrative.objects.create(
                checkpoint=closure, prompt="How are things now?", text=NARRATIVES[4 + index % 4]
            )
            from outcomes.services.records import episode_close

            episode_close(
                episode=episode,
                outcome=CaseOutcome.CLOSED_POSITIVE if index % 5 else CaseOutcome.DISENGAGED,
                closed_on=closed_on,
                by=None,
                reason="Demo data",
            )
