import re

from django.core import mail
from django.db import transaction
from django.urls import reverse

import pytest

from core.messenger import message_send
from core.models import InboxMessage, NotificationPreference
from core.tasks import send_inbox_email
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_templates")]


def test_a_message_lands_in_the_inbox_and_is_emailed_after_the_change_commits(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(full_name="Sam Applicant")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_send(
            recipient=person,
            kind="application_received",
            template="tests/emails/received",
            context={"fund": "Ashby Vale Community Matters"},
            link="/dashboard/",
        )
        assert mail.outbox == []
    assert message.subject == "Your application to Ashby Vale Community Matters has been received"
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "Hello Sam" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_nothing_is_emailed_when_the_change_that_caused_it_is_rolled_back(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message_send(
            recipient=person,
            kind="application_received",
            template="tests/emails/received",
            context={"fund": "Millbrook"},
        )
        raise RuntimeError("the award failed after the message was written")
    assert callbacks == []
    assert mail.outbox == []
    assert not InboxMessage.objects.exists()


def test_an_email_is_sent_once_even_if_the_task_runs_twice(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            recipient=person,
            kind="application_received",
            template="tests/emails/received",
            context={"fund": "Riverside"},
        )
    send_inbox_email.delay(message.pk)
    assert len(mail.outbox) == 1


def test_someone_who_turned_off_reminders_gets_them_in_the_inbox_only(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    NotificationPreference.objects.create(user=person, kind="reminder", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            recipient=person,
            kind="reminder",
            template="tests/emails/reminder",
            context={"fund": "Riverside"},
        )
    assert mail.outbox == []
    assert person.inbox.get().subject == "A reminder about Riverside"


def test_decisions_are_emailed_whatever_the_preferences(django_capture_on_commit_callbacks):
    person = UserFactory()
    NotificationPreference.objects.create(user=person, kind="application_received", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            recipient=person,
            kind="application_received",
            template="tests/emails/received",
            context={"fund": "Riverside"},
        )
    assert len(mail.outbox) == 1


def test_a_person_reads_their_messages_and_sets_their_email_choices(client):
    person = UserFactory()
    other = UserFactory()
    mine = InboxMessage.objects.create(recipient=person, kind="x", subject="Yours", body="Hello")
    theirs = InboxMessage.objects.create(
        recipient=other, kind="x", subject="Not yours", body="Secret"
    )
    client.force_login(person)
    listing = client.get("/messages/")
    assert "Yours" in listing.text and "Not yours" not in listing.text
    assert client.get(f"/messages/{mine.pk}/").status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(f"/messages/{theirs.pk}/").status_code == 404

    response = client.post("/settings/emails/", {"news": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=person, kind="reminder").email is False
    assert NotificationPreference.objects.get(user=person, kind="news").email is True


def unread(client) -> int:
    """The count of unread messages the site's header shows."""
    page = client.get("/applications/").content.decode()
    found = re.search(r">(\d+)<span class=\"govuk-visually-hidden\"> unread</span>", page)
    return int(found.group(1)) if found else 0


def test_the_header_counts_a_new_message_until_it_is_read(client, sign_in):
    person = UserFactory()
    sign_in(person)
    InboxMessage.objects.create(recipient=UserFactory(), subject="Not yours", body="Hello")
    assert unread(client) == 0

    message = InboxMessage.objects.create(recipient=person, subject="Your grant", body="Hello")
    assert unread(client) == 1

    assert client.get(reverse("core:inbox_message", args=[message.pk])).status_code == 200
    assert unread(client) == 0
