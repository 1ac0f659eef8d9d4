from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisations/new/", views.organisation_create_view, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("files/<int:pk>/download/", views.document_download, name="document_download"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.inbox_message, name="inbox_message"),
    path("settings/emails/", views.notification_preferences, name="notification_preferences"),
    path("session/status/", views.session_status, name="session_status"),
]
