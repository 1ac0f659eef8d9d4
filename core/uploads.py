"""Checking an upload by what it is, not what it says it is.

A file is accepted only if its extension is on the allow-list *and* its content is that kind of file.
Photos are re-encoded, which drops location and camera metadata. The stored name is generated; the
name the person gave is cleaned and kept only to offer back on download.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".docx": DOCX,
    ".odt": ODT,
}
DOCUMENT_TYPES = frozenset({PDF, DOCX, ODT, PNG, JPEG})
IMAGE_TYPES = frozenset({PNG, JPEG})
FRIENDLY_TYPES = "PDF, Word (.docx), OpenDocument (.odt), JPEG or PNG"


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    filename: str
    size: int
    sha256: str


def clean_filename(name: str, *, fallback: str = "document") -> str:
    """A name safe to store and to offer back: no folders, no control characters, no quotes."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'["\\/<>:|?*;]', "", base).strip(" .")
    if not base:
        base = fallback
    stem, dot, ext = base.rpartition(".")
    if dot and len(base) > 120:
        base = f"{stem[: 120 - len(ext) - 1]}.{ext}"
    return base[:120]


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _sniff(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names and "[Content_Types].xml" in names:
                    content_types = archive.read("[Content_Types].xml")
                    if b"vbaProject" in content_types or any("vbaProject" in n for n in names):
                        return "macro"
                    if b"macroEnabled" in content_types:
                        return "macro"
                    return DOCX
                if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                    return ODT
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


def _reencode_image(content: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as probe:
            width, height = probe.size
            if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "The picture is too large. Make it smaller than 40 megapixels and try again.",
                    code="too_many_pixels",
                )
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if content_type == JPEG:
                image.convert("RGB").save(output, format="JPEG", quality=88)
            else:
                image.save(output, format="PNG")
            return output.getvalue()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            "The picture is too large. Make it smaller than 40 megapixels and try again.",
            code="too_many_pixels",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "The picture could not be opened. Try saving it again as a JPEG or PNG.",
            code="bad_image",
        ) from exc


def check_upload(
    uploaded: UploadedFile,
    *,
    allowed: frozenset[str] = DOCUMENT_TYPES,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Accept or refuse one uploaded file. Raises ValidationError with a message for the person."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    filename = clean_filename(uploaded.name or "")
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            f"The file is {_human_size(uploaded.size)}. The largest file we can take is "
            f"{_human_size(limit)}.",
            code="too_large",
        )
    extension = PurePosixPath(filename.lower()).suffix
    expected = EXTENSIONS.get(extension)
    if expected is None or expected not in allowed:
        raise ValidationError(
            f"“{filename}” is not a type of file we accept. Upload a {FRIENDLY_TYPES} file.",
            code="bad_type",
        )
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            f"The file is larger than {_human_size(limit)}, the largest we can take.",
            code="too_large",
        )
    detected = _sniff(content)
    if detected == "macro":
        raise ValidationError(
            "The document contains macros, which we cannot accept. Save it as a plain .docx or PDF.",
            code="macro",
        )
    if detected != expected:
        raise ValidationError(
            f"“{filename}” does not look like a real {extension.lstrip('.').upper()} file. "
            "It may be damaged, or saved as a different type. Try saving it again.",
            code="content_mismatch",
        )
    if detected in IMAGE_TYPES:
        content = _reencode_image(content, detected)
    return CheckedUpload(
        content=content,
        content_type=detected,
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
