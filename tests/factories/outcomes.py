import datetime

import factory

from outcomes.enums import (
    CaseOutcome,
    CheckpointKind,
    CheckpointStatus,
    ConsentScope,
    EpisodeStatus,
)
from outcomes.models import (
    Checkpoint,
    Episode,
    FamilyRecord,
    Framework,
    FrameworkVersion,
    Narrative,
)

from .core import LocalityFactory, OrganisationFactory


def framework_version(slug: str = "early-help-triage") -> FrameworkVersion:
    """The current version of a shipped framework, loading the shipped frameworks if need be."""
    framework = Framework.objects.filter(slug=slug).first()
    if framework is None:
        from outcomes.services.frameworks import frameworks_load

        frameworks_load()
        framework = Framework.objects.get(slug=slug)
    return framework.current_version


class FamilyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyRecord

    locality = factory.SubFactory(LocalityFactory)
    supporting_organisation = factory.SubFactory(OrganisationFactory)
    consent_scope = ConsentScope.SUPPORT_ONLY

    class Params:
        shared_with_partners = factory.Trait(consent_scope=ConsentScope.PARTNERS)
        counted_anonymously = factory.Trait(consent_scope=ConsentScope.ANONYMOUS_REPORTING)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    family = factory.SubFactory(FamilyRecordFactory)
    reference = factory.Sequence(lambda n: f"EP-{n:05d}")
    framework_version = factory.LazyFunction(framework_version)
    provider = factory.LazyAttribute(lambda o: o.family.supporting_organisation)
    started_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))

    class Params:
        closed = factory.Trait(
            status=EpisodeStatus.CLOSED,
            outcome=CaseOutcome.CLOSED_POSITIVE,
            closed_on=factory.LazyFunction(datetime.date.today),
        )


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    episode = factory.SubFactory(EpisodeFactory)
    kind = CheckpointKind.ASSESSMENT
    recorded_on = factory.LazyAttribute(lambda o: o.episode.started_on)
    status = CheckpointStatus.SUBMITTED

    class Params:
        draft = factory.Trait(status=CheckpointStatus.DRAFT)


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Narrative

    checkpoint = factory.SubFactory(CheckpointFactory)
    prompt = "How are things for your family at the moment?"
    text = "Things are a bit better this month."
