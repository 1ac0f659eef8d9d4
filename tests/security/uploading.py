"""Posting a file the way an attacker can: any bytes in the file name, any bytes in the file."""

from urllib.parse import quote

BOUNDARY = "seedbed-test-boundary"


def multipart(fields: dict[str, str], *, filename: str, content: bytes) -> bytes:
    """A form body whose file part carries `filename` exactly, CR, LF and quotes included
    (RFC 7578 / RFC 5987 `filename*`, which Django decodes)."""
    parts = [
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
        for name, value in fields.items()
    ]
    parts.append(
        (
            f"--{BOUNDARY}\r\n"
            f"Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''{quote(filename)}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def upload(client, organisation, *, filename: str, content: bytes, kind: str = "other"):
    return client.post(
        f"/organisations/{organisation.pk}/documents/new/",
        data=multipart({"kind": kind}, filename=filename, content=content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
