import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from core.enums import DocumentKind

from .organisations import Organisation


def private_storage():
    return storages["private"]


def private_upload_path(instance: "PrivateDocument", filename: str) -> str:
    # The stored name is generated; the name the person gave is kept only as data.
    return f"documents/{instance.organisation_id}/{uuid.uuid4().hex}"


class PrivateDocument(models.Model):
    """A file an organisation holds once and reuses: governing document, policies, insurance.

    Stored outside the public media URL; served only by core.views.document_download after a
    permission check, as an attachment.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    file = models.FileField(storage=private_storage, upload_to=private_upload_path, max_length=200)
    original_filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    expires_on = models.DateField(
        null=True, blank=True, help_text="For insurance: the end of cover."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_filename}"

    @property
    def is_in_date(self) -> bool:
        return self.expires_on is None or self.expires_on >= timezone.localdate()
