"""Practitioners' pages for family records: who sees which family, adding a family with consent,
opening, recording and closing episodes, and the audit trail of every look."""

import datetime

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from core.enums import Role
from core.models import AuditEntry, LocalityStaff
from core.models.audit import AuditAction
from outcomes.enums import (
    CaseOutcome,
    CheckpointKind,
    CheckpointStatus,
    ConsentScope,
    EpisodeStatus,
)
from outcomes.models import Episode, FamilyRecord, Framework, TriageLevel
from tests.factories import (
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.factories.core import force_login_past_two_step
from tests.factories.outcomes import (
    CheckpointFactory,
    EpisodeFactory,
    FamilyRecordFactory,
    NarrativeFactory,
    framework_version,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    """Signed in, with two-step sign-in already done (core.middleware.RequireMFAMiddleware)."""
    force_login_past_two_step(client, user)
    return client


def today() -> str:
    day = datetime.date.today()
    return f"{day.day}/{day.month}/{day.year}"


def grant(user, dotted: str):
    app_label, codename = dotted.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


@pytest.fixture
def millbrook():
    return LocalityFactory(name="Millbrook", slug="millbrook")


@pytest.fixture
def riverside():
    return LocalityFactory(name="Riverside", slug="riverside")


@pytest.fixture
def provider(millbrook):
    """A family coach at a commissioned organisation working in Millbrook."""
    organisation = OrganisationFactory(name="Millbrook Family Coaching", localities=[millbrook])
    user = UserFactory(with_mfa=True, roles=(Role.PROVIDER,))
    OrganisationMembershipFactory(organisation=organisation, user=user)
    user.organisation = organisation
    return user


@pytest.fixture
def officer(millbrook):
    """An early help officer placed in Millbrook, with the right to see its families."""
    user = grant(
        UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,)), "outcomes.view_all_families"
    )
    LocalityStaff.objects.create(user=user, locality=millbrook)
    return user


def denied_entries(user):
    return AuditEntry.objects.filter(actor_id=user.pk, action=AuditAction.DENIED)


def test_a_provider_sees_only_the_families_it_supports(client, provider, millbrook):
    ours = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    EpisodeFactory(family=ours)
    theirs = FamilyRecordFactory(locality=millbrook, supporting_organisation=OrganisationFactory())

    response = signed_in(client, provider).get("/families/")

    assert response.status_code == 200
    assert ours.reference in response.text
    assert theirs.reference not in response.text
    assert signed_in(client, provider).get(f"/families/{theirs.reference}/").status_code == 404


def test_an_officer_cannot_open_another_localitys_family_by_changing_the_reference(
    client, officer, millbrook, riverside
):
    at_home = EpisodeFactory(
        family=FamilyRecordFactory(locality=millbrook, shared_with_partners=True)
    )
    elsewhere = EpisodeFactory(
        family=FamilyRecordFactory(locality=riverside, shared_with_partners=True)
    )
    signed_in(client, officer)
    assert client.get(f"/families/{at_home.family.reference}/").status_code == 200

    other = elsewhere.family.reference
    urls = [
        f"/families/{other}/",
        f"/families/{other}/episodes/new/",
        f"/families/{other}/episodes/{elsewhere.pk}/checkpoints/new/",
        f"/families/{other}/episodes/{elsewhere.pk}/close/",
        # Their own family's reference with the other family's episode: still nothing.
        f"/families/{at_home.family.reference}/episodes/{elsewhere.pk}/close/",
        f"/families/{at_home.family.reference}/episodes/{elsewhere.pk}/checkpoints/new/",
        "/families/FAM-NOPE-NOPE/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in urls[1:4]:
        response = client.post(url, {"outcome": CaseOutcome.DECLINED, "closed_on": "1/2/2026"})
        assert response.status_code == 404, url
    elsewhere.refresh_from_db()
    assert elsewhere.status == EpisodeStatus.OPEN
    assert denied_entries(officer).count() == len(urls) + 3
    assert denied_entries(officer).filter(object_id=str(elsewhere.family.pk)).exists()
    assert (
        denied_entries(officer)
        .filter(content_type__model="episode", object_id=str(elsewhere.pk))
        .count()
        == 2
    )


def test_viewing_a_family_is_recorded_in_the_audit_trail(client, provider, millbrook):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)

    signed_in(client, provider).get(f"/families/{family.reference}/")

    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_id=str(family.pk))
    assert entry.actor_id == provider.pk
    assert entry.content_type.model == "familyrecord"


def test_closing_an_episode_twice_says_it_is_already_closed(client, provider, millbrook):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    episode = EpisodeFactory(family=family, started_on=datetime.date(2026, 1, 5))
    url = f"/families/{family.reference}/episodes/{episode.pk}/close/"
    signed_in(client, provider)

    first = client.post(url, {"outcome": CaseOutcome.CLOSED_POSITIVE, "closed_on": "2/3/2026"})
    second = client.post(url, {"outcome": CaseOutcome.DISENGAGED, "closed_on": "3/3/2026"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "already closed" in second.text
    episode.refresh_from_db()
    assert (episode.status, episode.outcome) == (EpisodeStatus.CLOSED, CaseOutcome.CLOSED_POSITIVE)
    assert episode.closed_on == datetime.date(2026, 3, 2)
    assert client.get(url).status_code == 409
    transitions = AuditEntry.objects.filter(
        action=AuditAction.TRANSITION, object_id=str(episode.pk)
    )
    assert transitions.count() == 1


def test_an_episode_cannot_close_before_it_started(client, provider, millbrook):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    episode = EpisodeFactory(family=family, started_on=datetime.date(2026, 1, 5))

    response = signed_in(client, provider).post(
        f"/families/{family.reference}/episodes/{episode.pk}/close/",
        {"outcome": CaseOutcome.DECLINED, "closed_on": "1/1/2026"},
    )

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "on or after the start" in response.text
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN


def test_a_provider_adds_a_family_with_consent_and_no_names(client, provider, millbrook):
    signed_in(client, provider)
    form = client.get("/families/new/")
    assert form.status_code == 200
    assert not [field for field in form.context["form"].fields if "name" in field]

    response = client.post(
        "/families/new/",
        {
            "locality": millbrook.pk,
            "supporting_organisation": provider.organisation.pk,
            "supporting_team": "",
            "consent_scope": ConsentScope.PARTNERS,
            "consent_confirmed": "on",
        },
    )

    family = FamilyRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/families/{family.reference}/"
    assert family.supporting_organisation == provider.organisation
    assert family.consent_scope == ConsentScope.PARTNERS
    assert family.consent_recorded_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(family.pk)).exists()


def test_adding_a_family_needs_the_familys_consent_confirmed(client, provider, millbrook):
    response = signed_in(client, provider).post(
        "/families/new/",
        {
            "locality": millbrook.pk,
            "supporting_organisation": provider.organisation.pk,
            "consent_scope": ConsentScope.SUPPORT_ONLY,
        },
    )

    assert response.status_code == 400
    assert "Confirm the family agreed" in response.text
    assert not FamilyRecord.objects.exists()


def test_a_provider_can_only_name_their_own_organisation_as_the_supporter(
    client, provider, millbrook
):
    stranger = OrganisationFactory(name="Someone Else's Charity", localities=[millbrook])
    signed_in(client, provider)

    form = client.get("/families/new/")
    assert stranger.name not in form.text
    response = client.post(
        "/families/new/",
        {
            "locality": millbrook.pk,
            "supporting_organisation": stranger.pk,
            "consent_scope": ConsentScope.SUPPORT_ONLY,
            "consent_confirmed": "on",
        },
    )

    assert response.status_code == 400
    assert not FamilyRecord.objects.exists()


def test_someone_without_the_right_cannot_add_a_family(client):
    commissioner = UserFactory(with_mfa=True, roles=(Role.COMMISSIONER,))
    assert signed_in(client, commissioner).get("/families/new/").status_code == 403


def test_a_practitioner_opens_an_episode_and_records_a_checkpoint_with_the_family(
    client, provider, millbrook
):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    framework = framework_version("early-help-triage").framework
    signed_in(client, provider)

    opened = client.post(
        f"/families/{family.reference}/episodes/new/",
        {"framework": framework.pk, "started_on": "5/1/2026", "reference": ""},
    )
    assert opened.status_code == 302
    episode = Episode.objects.get(family=family)
    assert episode.reference == f"{family.reference}-1"
    assert episode.provider == provider.organisation

    yellow = TriageLevel.objects.get(scale=framework.triage_scale, key="yellow")
    overall = episode.framework_version.domains.get(key="overall")
    url = f"/families/{family.reference}/episodes/{episode.pk}/checkpoints/new/"
    assert client.get(url).status_code == 200
    recorded = client.post(
        url,
        {
            "kind": CheckpointKind.ASSESSMENT,
            "recorded_on": "6/1/2026",
            "issue_1": "Housing",
            "issue_1_level": yellow.pk,
            "narrative": "We were behind on the rent and I couldn't sleep.",
            "narrative_by_family": "on",
            f"domain_{overall.pk}": "3",
        },
    )

    assert recorded.status_code == 302
    checkpoint = episode.checkpoints.get()
    assert checkpoint.status == CheckpointStatus.SUBMITTED
    assert checkpoint.assisted_by == provider
    assert not checkpoint.self_reported
    assert [(i.issue, i.level.key) for i in checkpoint.issues.all()] == [("Housing", "yellow")]
    assert checkpoint.narratives.get().text == "We were behind on the rent and I couldn't sleep."
    assert checkpoint.scores.get(domain=overall).score == 3

    page = client.get(f"/families/{family.reference}/")
    assert "govuk-tag--yellow" in page.text
    assert "Extra help (yellow)" in page.text
    assert "behind on the rent" in page.text
    assert "3 out of 10" in page.text

    again = client.get(url)
    kinds = dict(again.context["form"].fields["kind"].choices)
    assert CheckpointKind.ASSESSMENT not in kinds


def test_an_issue_without_a_level_is_sent_back_to_be_finished(client, provider, millbrook):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    episode = EpisodeFactory(family=family)

    response = signed_in(client, provider).post(
        f"/families/{family.reference}/episodes/{episode.pk}/checkpoints/new/",
        {"kind": CheckpointKind.REVIEW, "recorded_on": today(), "issue_1": "Money"},
    )

    assert response.status_code == 400
    assert "Choose how much help issue 1 needs" in response.text
    assert not episode.checkpoints.exists()


def test_the_family_page_shows_checkpoints_and_offers_the_familys_own_link(
    client, provider, millbrook
):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    narrative = NarrativeFactory(
        checkpoint=CheckpointFactory(episode=EpisodeFactory(family=family)),
        text="The group helped me feel more confident.",
    )

    page = signed_in(client, provider).get(f"/families/{family.reference}/")

    assert narrative.text in page.text
    assert "Ask the family to fill it in themselves" in page.text
    assert f"/families/{family.reference}/links/" in page.text


def test_the_list_filters_by_locality_and_status(client, officer, millbrook):
    grant(officer, "core.view_all_localities")
    open_here = EpisodeFactory(
        family=FamilyRecordFactory(locality=millbrook, shared_with_partners=True)
    ).family
    closed_here = EpisodeFactory(
        family=FamilyRecordFactory(locality=millbrook, shared_with_partners=True), closed=True
    ).family
    elsewhere = EpisodeFactory(
        family=FamilyRecordFactory(locality=LocalityFactory(), shared_with_partners=True)
    ).family
    signed_in(client, officer)

    by_place = client.get("/families/", {"locality": millbrook.pk}).text
    assert open_here.reference in by_place and closed_here.reference in by_place
    assert elsewhere.reference not in by_place

    getting_help = client.get("/families/", {"locality": millbrook.pk, "status": "open"}).text
    assert open_here.reference in getting_help
    assert closed_here.reference not in getting_help


def test_the_family_list_takes_the_same_queries_however_many_families_there_are(
    client, provider, millbrook, django_assert_max_num_queries
):
    def add_families(count):
        for _ in range(count):
            family = FamilyRecordFactory(
                locality=millbrook, supporting_organisation=provider.organisation
            )
            EpisodeFactory(family=family)
            EpisodeFactory(family=family, closed=True)

    signed_in(client, provider)
    add_families(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/families/").status_code == 200

    add_families(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/families/")
    assert response.context["page_obj"].paginator.count == 32
    assert len(response.context["families"]) == 25
    assert 'aria-label="Page 2"' in response.text


def test_a_framework_without_a_version_is_not_offered(client, provider, millbrook):
    family = FamilyRecordFactory(locality=millbrook, supporting_organisation=provider.organisation)
    Framework.objects.create(name="Draft framework", slug="draft")

    page = signed_in(client, provider).get(f"/families/{family.reference}/episodes/new/")

    assert "Draft framework" not in page.text


def test_an_officer_does_not_see_a_family_who_chose_to_share_only_with_their_supporters(
    client, officer, millbrook
):
    private = EpisodeFactory(family=FamilyRecordFactory(locality=millbrook)).family
    shared = EpisodeFactory(
        family=FamilyRecordFactory(locality=millbrook, shared_with_partners=True)
    ).family
    signed_in(client, officer)
    listing = client.get("/families/").text
    assert shared.reference in listing and private.reference not in listing
    assert client.get(f"/families/{private.reference}/").status_code == 404
