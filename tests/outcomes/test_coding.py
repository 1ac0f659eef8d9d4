"""The coding queue: coders read one family's words at a time, tick codes from the codebook, and
move on. Suggestions are only ever suggestions, and coders see only their own localities."""

import re

from django.contrib.auth.models import Permission

import pytest

from core.enums import Role
from core.models import AuditEntry, LocalityStaff
from core.models.audit import AuditAction
from outcomes.models import Code, NarrativeCode
from outcomes.services.coding import code_suggestions
from outcomes.services.frameworks import frameworks_load
from tests.factories import LocalityFactory, UserFactory
from tests.factories.core import force_login_past_two_step
from tests.factories.outcomes import (
    CheckpointFactory,
    EpisodeFactory,
    FamilyRecordFactory,
    NarrativeFactory,
)

pytestmark = pytest.mark.django_db

RENT = "We were behind on the rent and the landlord was talking about eviction."
SCHOOL = "My son was excluded from school twice this term."


def signed_in(client, user):
    force_login_past_two_step(client, user)
    return client


@pytest.fixture(autouse=True)
def codebook():
    frameworks_load()
    return {code.key: code for code in Code.objects.all()}


@pytest.fixture
def millbrook():
    return LocalityFactory(name="Millbrook", slug="millbrook")


@pytest.fixture
def coder(millbrook):
    """A grants officer placed in Millbrook: the role can code narratives, not open family records."""
    user = UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,))
    LocalityStaff.objects.create(user=user, locality=millbrook)
    return user


def narrative_in(locality, text, **family):
    family = FamilyRecordFactory(locality=locality, shared_with_partners=True, **family)
    checkpoint = CheckpointFactory(episode=EpisodeFactory(family=family))
    return NarrativeFactory(checkpoint=checkpoint, text=text)


def test_a_suggested_code_is_never_applied_until_the_coder_ticks_it(
    client, coder, millbrook, codebook
):
    narrative = narrative_in(millbrook, RENT)
    signed_in(client, coder)

    page = client.get("/outcomes/coding/")
    housing = next(c for c in page.context["choices"] if c["code"] == codebook["housing"])
    assert housing["suggested"] and not housing["checked"]
    assert "Suggested" in page.text
    assert not re.search(r"<input[^>]*\bchecked\b", page.text)
    assert not NarrativeCode.objects.exists()

    # The coder reads it and thinks it is about money, not housing.
    client.post(f"/outcomes/coding/{narrative.pk}/", {"codes": [codebook["money"].pk]})

    assert list(narrative.codings.values_list("code__key", flat=True)) == ["money"]

    # Ticking the suggestion is what applies it.
    other = narrative_in(millbrook, RENT)
    client.post(f"/outcomes/coding/{other.pk}/", {"codes": [codebook["housing"].pk]})
    assert list(other.codings.values_list("code__key", flat=True)) == ["housing"]


def test_a_coder_never_sees_another_localitys_narratives(client, coder, millbrook):
    ours = narrative_in(millbrook, RENT)
    theirs = narrative_in(LocalityFactory(name="Riverside", slug="riverside"), SCHOOL)
    signed_in(client, coder)

    page = client.get("/outcomes/coding/")
    assert RENT in page.text and SCHOOL not in page.text
    assert page.context["remaining"] == 1

    refused = client.post(f"/outcomes/coding/{theirs.pk}/", {"codes": [Code.objects.first().pk]})
    assert refused.status_code == 404
    assert client.post(f"/outcomes/coding/{theirs.pk}/", {"skip": "skip"}).status_code == 404
    assert not theirs.codings.exists()
    assert (
        AuditEntry.objects.filter(
            actor_id=coder.pk, action=AuditAction.DENIED, object_id=str(theirs.pk)
        ).count()
        == 2
    )

    client.post(f"/outcomes/coding/{ours.pk}/", {"skip": "skip"})
    done = client.get("/outcomes/coding/")
    assert SCHOOL not in done.text
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW, object_id=str(theirs.pk)).exists()


def test_a_family_who_kept_their_words_to_their_supporters_is_not_in_the_councils_queue(
    client, coder, millbrook
):
    family = FamilyRecordFactory(locality=millbrook)  # consent: only the people supporting us
    NarrativeFactory(checkpoint=CheckpointFactory(episode=EpisodeFactory(family=family)), text=RENT)

    page = signed_in(client, coder).get("/outcomes/coding/")

    assert RENT not in page.text
    assert "Nothing left to code" in page.text


def test_words_still_being_written_are_not_ready_to_code(client, coder, millbrook):
    family = FamilyRecordFactory(locality=millbrook, shared_with_partners=True)
    checkpoint = CheckpointFactory(episode=EpisodeFactory(family=family), draft=True)
    narrative = NarrativeFactory(checkpoint=checkpoint, text=RENT)

    assert RENT not in signed_in(client, coder).get("/outcomes/coding/").text
    codes = {"codes": [Code.objects.first().pk]}
    assert client.post(f"/outcomes/coding/{narrative.pk}/", codes).status_code == 404
    assert not narrative.codings.exists()


def test_saving_records_who_coded_it_and_moves_on_to_the_next(client, coder, millbrook, codebook):
    first = narrative_in(millbrook, RENT)
    second = narrative_in(millbrook, SCHOOL)
    signed_in(client, coder)
    assert client.get("/outcomes/coding/").context["narrative"] == first

    saved = client.post(
        f"/outcomes/coding/{first.pk}/",
        {"codes": [codebook["housing"].pk, codebook["money"].pk]},
    )

    assert saved.status_code == 302 and saved["Location"] == "/outcomes/coding/"
    codings = first.codings.all()
    assert {c.code.key for c in codings} == {"housing", "money"}
    assert all(c.coded_by == coder and c.coded_at for c in codings)
    following = client.get("/outcomes/coding/")
    assert following.context["narrative"] == second
    assert "1 narrative left to code" in following.text


def test_the_coders_reading_of_each_narrative_is_audited(client, coder, millbrook):
    narrative = narrative_in(millbrook, RENT)

    signed_in(client, coder).get("/outcomes/coding/")

    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_id=str(narrative.pk))
    assert entry.actor_id == coder.pk
    assert entry.content_type.model == "narrative"


def test_the_coder_sees_the_words_but_nothing_else_about_the_family(client, coder, millbrook):
    narrative = narrative_in(millbrook, RENT, supporting_team="Early Help North")
    family = narrative.checkpoint.episode.family

    page = signed_in(client, coder).get("/outcomes/coding/").text

    assert RENT in page and family.reference in page
    assert "Early Help North" not in page
    assert family.supporting_organisation.name not in page
    assert narrative.checkpoint.episode.reference not in page


def test_skipping_moves_on_and_skipped_ones_can_be_looked_at_again(client, coder, millbrook):
    first = narrative_in(millbrook, RENT)
    second = narrative_in(millbrook, SCHOOL)
    signed_in(client, coder)

    client.post(f"/outcomes/coding/{first.pk}/", {"skip": "skip"})
    assert client.get("/outcomes/coding/").context["narrative"] == second
    client.post(f"/outcomes/coding/{second.pk}/", {"skip": "skip"})

    done = client.get("/outcomes/coding/")
    assert "2 narratives you skipped still need a code" in done.text
    assert not NarrativeCode.objects.exists()

    client.post("/outcomes/coding/skipped/clear/")
    assert client.get("/outcomes/coding/").context["narrative"] == first


def test_saving_without_a_code_asks_for_one(client, coder, millbrook):
    narrative = narrative_in(millbrook, RENT)

    response = signed_in(client, coder).post(f"/outcomes/coding/{narrative.pk}/", {})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#id_codes_1"' in response.text
    assert not NarrativeCode.objects.exists()


def test_someone_without_the_coding_right_is_turned_away(client, millbrook):
    provider = UserFactory(with_mfa=True, roles=(Role.PROVIDER,))
    narrative = narrative_in(millbrook, RENT)
    signed_in(client, provider)

    assert client.get("/outcomes/coding/").status_code == 403
    assert client.post(f"/outcomes/coding/{narrative.pk}/", {"skip": "skip"}).status_code == 404


def test_the_roles_grant_coding_and_reports_to_officers_and_reports_to_commissioners():
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    commissioner = UserFactory(roles=(Role.COMMISSIONER,))
    provider = UserFactory(roles=(Role.PROVIDER,))

    assert officer.has_perm("outcomes.code_narratives")
    assert officer.has_perm("outcomes.view_outcomes_reports")
    assert commissioner.has_perm("outcomes.view_outcomes_reports")
    assert not commissioner.has_perm("outcomes.code_narratives")
    assert provider.has_perm("outcomes.add_familyrecord")
    assert not provider.has_perm("outcomes.code_narratives")


def test_the_dashboard_links_coders_to_the_queue(client, coder):
    page = signed_in(client, coder).get("/dashboard/").text
    assert 'href="/outcomes/coding/"' in page

    coder.user_permissions.add(Permission.objects.get(codename="view_all_families"))
    assert 'href="/families/"' in signed_in(client, coder).get("/dashboard/").text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("We were behind on the rent.", {"housing"}),
        ("My parent helps with the kids.", set()),  # "rent" inside "parent" is not housing
        ("I can\u2019t afford the bills and I\u2019m so stressed.", {"money"}),
        ("The school says he is angry and it is all too much.", {"school", "child-behaviour"}),
    ],
)
def test_suggestions_come_from_whole_keywords(words, expected):
    narrative = NarrativeFactory.build(text=words)
    assert {code.key for code in code_suggestions(narrative)} == expected
