"""The officers' import page: the same all-or-nothing imports as the command, with every problem
named in the error summary."""

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from core.enums import Role
from outcomes.models import Checkpoint, Episode, Framework, TriagedIssue
from outcomes.services.frameworks import frameworks_load
from tests.factories import LocalityFactory, UserFactory
from tests.factories.core import force_login_past_two_step

pytestmark = pytest.mark.django_db

URL = "/outcomes/import/"

TRIAGE = (
    "episode_ref,checkpoint,recorded_on,locality,issue,level\n"
    "EH-0001,assessment,2024-04-02,Millbrook,Housing,orange\n"
    "EH-0001,assessment,2024-04-02,Millbrook,School attendance,yellow\n"
    "EH-0002,assessment,2024-04-05,millbrook,Money worries,green\n"
    "EH-0001,closure,2024-07-01,Millbrook,Housing,green\n"
)
OUTCOMES = "episode_ref,closed_on,outcome\nEH-0001,2024-07-01,closed_positive\n"


def signed_in(client, user):
    force_login_past_two_step(client, user)
    return user


@pytest.fixture
def framework():
    frameworks_load()
    LocalityFactory(name="Millbrook", slug="millbrook")
    return Framework.objects.get(slug="early-help-triage")


@pytest.fixture
def officer(client):
    user = UserFactory(with_mfa=True, roles=(Role.GRANTS_OFFICER,))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="outcomes", codename="add_familyrecord")
    )
    return signed_in(client, user)


def csv_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_an_officer_imports_both_files_and_sees_the_counts(client, framework, officer):
    assert client.get(URL).status_code == 200

    response = client.post(
        URL,
        {
            "framework": framework.pk,
            "triage_file": csv_file("triage.csv", TRIAGE),
            "outcomes_file": csv_file("outcomes.csv", OUTCOMES),
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Records imported" in page
    assert "2 episodes created" in page
    assert "3 checkpoints created" in page
    assert "4 triaged issues created" in page
    assert "1 episodes closed" in page
    assert Episode.objects.count() == 2
    assert TriagedIssue.objects.count() == 4


def test_an_unknown_locality_is_named_and_nothing_is_imported(client, framework, officer):
    bad = TRIAGE + "EH-0003,assessment,2024-04-09,Atlantis,Housing,blue\n"
    bad += "EH-0004,assessment,not-a-date,Millbrook,Housing,blue\n"

    response = client.post(
        URL,
        {
            "framework": framework.pk,
            "triage_file": csv_file("triage.csv", bad),
            "outcomes_file": csv_file("outcomes.csv", OUTCOMES),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "row 6: there is no locality called &#x27;Atlantis&#x27;" in page
    assert "row 7: recorded_on must be a date" in page
    assert "Records imported" not in page
    assert Episode.objects.count() == 0
    assert Checkpoint.objects.count() == 0
    assert TriagedIssue.objects.count() == 0


def test_a_rejected_outcomes_file_rolls_back_the_triage_file_too(client, framework, officer):
    response = client.post(
        URL,
        {
            "framework": framework.pk,
            "triage_file": csv_file("triage.csv", TRIAGE),
            "outcomes_file": csv_file("outcomes.csv", OUTCOMES + "EH-9999,2024-07-01,escaped\n"),
        },
    )

    assert response.status_code == 400
    assert "outcomes.csv: row 3" in response.content.decode()
    assert Episode.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_kindly(client, framework, officer):
    latin1 = TRIAGE.replace("Housing", "Logement é").encode("latin-1")

    response = client.post(
        URL,
        {
            "framework": framework.pk,
            "triage_file": SimpleUploadedFile("triage.csv", latin1, content_type="text/csv"),
        },
    )

    assert response.status_code == 400
    assert "is not a UTF-8 CSV file" in response.content.decode()
    assert Episode.objects.count() == 0


def test_someone_without_permission_is_refused(client, framework):
    provider = signed_in(client, UserFactory(with_mfa=True, roles=(Role.PROVIDER,)))
    assert not provider.has_perm("outcomes.view_all_families")

    assert client.get(URL).status_code == 403
    response = client.post(
        URL, {"framework": framework.pk, "triage_file": csv_file("triage.csv", TRIAGE)}
    )
    assert response.status_code == 403
    assert Episode.objects.count() == 0
