"""The group's pages after an award: the grant agreement (and its PDF) and the end-of-grant report."""

from django.urls import path

from grants.views import awards

urlpatterns = [
    path("applications/<int:pk>/agreement/", awards.agreement, name="agreement"),
    path("applications/<int:pk>/agreement.pdf", awards.agreement_pdf, name="agreement-pdf"),
    path("applications/<int:pk>/report/", awards.report, name="report"),
]
