"""A practitioner makes, shows and stops the links families use to tell their story."""

import base64
import datetime
import re

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from core.models import AuditEntry
from core.models.audit import AuditAction
from outcomes.enums import CheckpointKind, CheckpointStatus
from outcomes.models import Checkpoint, CheckpointLink
from outcomes.services.links import (
    LinkProblem,
    LinkRefused,
    LinkUnusable,
    link_create,
    link_from_token,
    link_token,
)
from tests.factories.core import OrganisationMembershipFactory
from tests.factories.outcomes import EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode():
    return EpisodeFactory()


@pytest.fixture
def practitioner(episode):
    return OrganisationMembershipFactory(organisation=episode.family.supporting_organisation).user


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


def links_url(episode, suffix=""):
    return f"/families/{episode.family.reference}/links/{suffix}"


def make_link(signed_in, episode, **answers):
    data = {
        "episode": episode.pk,
        "kind": "assessment",
        "together": "alone",
        "days": "14",
        **answers,
    }
    return signed_in.post(links_url(episode, "new/"), data)


def test_a_practitioner_makes_a_link_and_sees_it_with_a_qr_code(signed_in, episode, practitioner):
    form = signed_in.get(links_url(episode, "new/"))
    assert form.status_code == 200
    assert "Make a link for the family" in form.content.decode()

    response = make_link(signed_in, episode)

    link = CheckpointLink.objects.get(episode=episode)
    assert response.status_code == 302
    assert response["Location"] == links_url(episode, f"{link.pk}/")
    assert link.kind == CheckpointKind.ASSESSMENT
    assert link.created_by == practitioner
    assert not link.assisted
    assert link.expires_at - timezone.now() > datetime.timedelta(days=13, hours=23)

    page = signed_in.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    family_url = f"http://testserver/my-story/{link_token(link)}/"
    assert f'value="{family_url}"' in html
    assert "Copy the link" in html and "Print this page" in html
    qr = re.search(
        r'<img class="seedbed-qr-code" src="data:image/svg\+xml;base64,([^"]+)"[^>]*alt="([^"]+)"',
        html,
    )
    assert qr, "the QR code is an inline image with a text alternative"
    assert b"<svg" in base64.b64decode(qr.group(1))
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    image_sources = re.search(r"img-src ([^;]+)", page["Content-Security-Policy"]).group(1)
    assert "data:" in image_sources and "http" not in image_sources  # shown, and by no one else

    made = AuditEntry.objects.for_object(link).get(action=AuditAction.CREATE)
    assert made.actor_id == practitioner.pk
    assert made.detail["kind"] == "assessment"


def test_the_link_lasts_as_many_days_as_the_practitioner_chose(signed_in, episode):
    make_link(signed_in, episode, days="3", kind="review", together="together")

    link = CheckpointLink.objects.get(episode=episode)
    assert link.kind == CheckpointKind.REVIEW
    assert link.assisted
    assert (
        datetime.timedelta(days=2, hours=23)
        < link.expires_at - timezone.now()
        <= datetime.timedelta(days=3)
    )


def test_a_link_cannot_last_longer_than_the_longest_allowed(signed_in, episode):
    response = make_link(signed_in, episode, days="365")

    assert response.status_code == 200
    assert "Enter a number of days from 1 to 90" in response.content.decode()
    assert not CheckpointLink.objects.exists()


def test_a_practitioner_who_cannot_see_the_family_cannot_make_a_link(client, episode):
    stranger = OrganisationMembershipFactory().user  # works for another organisation
    client.force_login(stranger)

    assert client.get(links_url(episode, "new/")).status_code == 404
    response = make_link(client, episode)

    assert response.status_code == 404
    assert not CheckpointLink.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor_id=stranger.pk).exists()
    with pytest.raises(PermissionDenied):
        link_create(episode=episode, kind="assessment", by=stranger)
    assert not CheckpointLink.objects.exists()


def test_someone_signed_out_finds_nothing_but_is_offered_sign_in(client, episode):
    response = client.get(links_url(episode, "new/"))

    assert response.status_code == 404
    assert f"/accounts/login/?next={links_url(episode, 'new/')}" in response.content.decode()


def test_a_practitioner_cannot_see_another_familys_link_through_their_own_family(
    signed_in, episode, practitioner
):
    other_episode = EpisodeFactory()
    other_practitioner = OrganisationMembershipFactory(
        organisation=other_episode.family.supporting_organisation
    ).user
    other_link = link_create(episode=other_episode, kind="assessment", by=other_practitioner)

    response = signed_in.get(links_url(episode, f"{other_link.pk}/"))
    stop = signed_in.post(links_url(episode, f"{other_link.pk}/revoke/"))

    assert response.status_code == 404
    assert stop.status_code == 404
    other_link.refresh_from_db()
    assert other_link.revoked_at is None


def test_a_stopped_link_no_longer_opens_and_the_stop_is_audited(
    signed_in, client, episode, practitioner
):
    make_link(signed_in, episode)
    link = CheckpointLink.objects.get()
    token = link_token(link)

    asked = signed_in.get(links_url(episode, f"{link.pk}/revoke/"))
    assert "Stop this link?" in asked.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None

    response = signed_in.post(links_url(episode, f"{link.pk}/revoke/"), follow=True)

    assert "The link has stopped working" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    stopped = AuditEntry.objects.for_object(link).get(action=AuditAction.UPDATE)
    assert (stopped.actor_id, stopped.to_state) == (practitioner.pk, "revoked")
    signed_in.logout()
    family_page = client.get(f"/my-story/{token}/")
    assert family_page.status_code == 410
    assert "Ask the person who gave you the link for a new one" in family_page.content.decode()


def test_a_new_link_for_the_same_time_stops_the_old_one(practitioner, episode):
    first = link_create(episode=episode, kind="assessment", by=practitioner)
    second = link_create(episode=episode, kind="assessment", by=practitioner)
    review = link_create(episode=episode, kind="review", by=practitioner)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert link_from_token(link_token(second)) == second
    assert link_from_token(link_token(review)) == review
    with pytest.raises(LinkUnusable) as refused:
        link_from_token(link_token(first))
    assert refused.value.problem is LinkProblem.REVOKED


def test_no_link_is_made_for_help_that_has_ended(signed_in, practitioner):
    ended = EpisodeFactory(closed=True)
    OrganisationMembershipFactory(
        organisation=ended.family.supporting_organisation, user=practitioner
    )

    page = signed_in.get(f"/families/{ended.family.reference}/links/new/")

    assert "no open episode" in page.content.decode()
    with pytest.raises(LinkRefused):
        link_create(episode=ended, kind="closure", by=practitioner)
    assert not CheckpointLink.objects.exists()


def test_no_second_assessment_link_once_the_assessment_is_sent(signed_in, episode, practitioner):
    Checkpoint.objects.create(
        episode=episode,
        kind=CheckpointKind.ASSESSMENT,
        recorded_on=datetime.date.today(),
        status=CheckpointStatus.SUBMITTED,
    )

    response = make_link(signed_in, episode, kind="assessment")

    assert response.status_code == 200
    assert "assessment for this episode has already been sent" in response.content.decode()
    assert not CheckpointLink.objects.exists()
    assert make_link(signed_in, episode, kind="closure").status_code == 302


def test_the_list_shows_each_links_state(signed_in, episode, practitioner):
    usable = link_create(episode=episode, kind="review", by=practitioner)
    stopped = link_create(episode=episode, kind="assessment", by=practitioner)
    CheckpointLink.objects.filter(pk=stopped.pk).update(revoked_at=timezone.now())

    html = signed_in.get(links_url(episode)).content.decode()

    assert links_url(episode, f"{usable.pk}/") in html
    assert "Not opened yet" in html and "Stopped" in html
    stopped_page = signed_in.get(links_url(episode, f"{stopped.pk}/")).content.decode()
    assert "/my-story/" not in stopped_page
    assert "This link no longer works" in stopped_page
