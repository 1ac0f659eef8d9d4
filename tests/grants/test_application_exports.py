"""Large downloads of the application list are made by a worker, with progress to watch."""

import io

import pytest
from openpyxl import load_workbook

from grants.enums import ApplicationStatus
from grants.models import ApplicationExport
from grants.services.exports import export_make
from tests.factories.grants import FundFactory, application_in, grants_officer

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def ask_for_export(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/grant-applications/exports/new/", data)
    assert response.status_code == 302
    return ApplicationExport.objects.latest("pk"), response["Location"]


def test_an_officer_downloads_a_filtered_list_as_a_spreadsheet(
    client, sign_in, django_capture_on_commit_callbacks
):
    fund = FundFactory(rapid=True)
    submitted = [application_in(S.SUBMITTED, fund=fund) for _ in range(3)]
    screening = application_in(S.SCREENING, fund=fund)
    elsewhere = application_in(S.SUBMITTED, fund=FundFactory(rapid=True))
    sign_in(grants_officer(locality=fund.locality))

    export, status_url = ask_for_export(
        client, django_capture_on_commit_callbacks, query=f"status={S.SUBMITTED}", format="xlsx"
    )
    page = client.get(status_url)
    assert "Ready: 3 applications." in page.content.decode()
    progress = client.get(status_url, HTTP_ACCEPT="application/json").json()
    assert progress == {"status": "ready", "percent": 100, "message": "Ready: 3 applications."}

    download = client.get(f"/admin/grant-applications/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {a.reference for a in submitted}
    assert screening.reference not in references and elsewhere.reference not in references


def test_someone_elses_export_is_not_found(client, sign_in, django_capture_on_commit_callbacks):
    fund = FundFactory(rapid=True)
    application_in(S.SUBMITTED, fund=fund)
    sign_in(grants_officer(locality=fund.locality))
    export, _ = ask_for_export(client, django_capture_on_commit_callbacks, format="csv")

    client.logout()
    sign_in(grants_officer(locality=fund.locality))
    assert client.get(f"/admin/grant-applications/exports/{export.pk}/").status_code == 404
    download = client.get(f"/admin/grant-applications/exports/{export.pk}/download/")
    assert download.status_code == 404


def test_a_task_delivered_twice_makes_one_file(client, sign_in, django_capture_on_commit_callbacks):
    fund = FundFactory(rapid=True)
    application_in(S.SUBMITTED, fund=fund, title="=HYPERLINK(1)")
    sign_in(grants_officer(locality=fund.locality))
    export, _ = ask_for_export(client, django_capture_on_commit_callbacks, format="csv")
    first_file = ApplicationExport.objects.get(pk=export.pk).file.name

    assert export_make(export.pk) is None
    assert ApplicationExport.objects.get(pk=export.pk).file.name == first_file
    content = ApplicationExport.objects.get(pk=export.pk).file.read().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content


def test_prepared_downloads_are_deleted_after_a_week(
    client, sign_in, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    import time_machine

    from grants.tasks import delete_old_application_exports

    fund = FundFactory(rapid=True)
    application_in(S.SUBMITTED, fund=fund)
    sign_in(grants_officer(locality=fund.locality))
    old, _ = ask_for_export(client, django_capture_on_commit_callbacks, format="csv")
    storage, name = old.file.storage, old.file.name
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        recent = ApplicationExport.objects.create(requested_by=old.requested_by, format="csv")
        assert delete_old_application_exports.delay().get() == 0

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert delete_old_application_exports.delay().get() == 1

    assert not ApplicationExport.objects.filter(pk=old.pk).exists()
    assert not storage.exists(name)
    assert ApplicationExport.objects.filter(pk=recent.pk).exists()
