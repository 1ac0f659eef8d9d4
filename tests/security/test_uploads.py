"""Row 23: files that are not what they claim, or are dangerous whatever they claim, are refused with
a message in the error summary, and nothing is kept."""

import io
import zipfile

import pytest

from core.models import PrivateDocument
from tests.factories import OrganisationMembershipFactory
from tests.security.pages import error_summary, error_summary_targets
from tests.security.uploading import upload

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _word_with_macros() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            "<Types><Override ContentType="
            "'application/vnd.ms-word.document.macroEnabled.main+xml'/></Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


NOT_ACCEPTED = "is not a type of file we accept. Upload a PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG file."
NOT_REAL = "does not look like a real"
MACROS = "The document contains macros, which we cannot accept. Save it as a plain .docx or PDF."

CASES = {
    "web page called .pdf": ("minutes.pdf", HTML, f"“minutes.pdf” {NOT_REAL} PDF file"),
    "svg picture": ("logo.svg", SVG, f"“logo.svg” {NOT_ACCEPTED}"),
    "program": ("setup.exe", WINDOWS_PROGRAM, f"“setup.exe” {NOT_ACCEPTED}"),
    "macro-enabled word": ("policy.docm", _word_with_macros(), f"“policy.docm” {NOT_ACCEPTED}"),
    "macros in a .docx": ("policy.docx", _word_with_macros(), MACROS),
    "double extension, program last": ("invoice.pdf.exe", WINDOWS_PROGRAM, NOT_ACCEPTED),
    "double extension, pdf last": ("invoice.exe.pdf", WINDOWS_PROGRAM, NOT_REAL),
    "web page called .jpg": ("photo.jpg", HTML, f"“photo.jpg” {NOT_REAL} JPG file"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_disguised_or_dangerous_file_is_refused_with_a_message_in_the_error_summary(
    client, sign_in, _private_media, case
):
    filename, content, message = CASES[case]
    membership = OrganisationMembershipFactory()
    sign_in(membership.user)

    response = upload(client, membership.organisation, filename=filename, content=content)

    assert response.status_code == 400
    (shown,) = error_summary(response)
    assert message in shown
    assert error_summary_targets(response) == ["id_file"]
    assert "<title>Error: " in response.text
    assert not PrivateDocument.objects.exists()
    assert not any(path.is_file() for path in _private_media.rglob("*"))
