"""The PDF service: accessible output, and no way for a document to read files or reach the network."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pikepdf
import pytest

from core.pdf import render_pdf

pytestmark = pytest.mark.usefixtures("test_templates")


@pytest.fixture
def loopback_listener():
    """A web server on 127.0.0.1 that counts the requests it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()


def _pdf(untrusted_html: str = "") -> pikepdf.Pdf:
    data = render_pdf(
        "tests/pdf_sample.html",
        {"text": "Award letter", "untrusted_html": untrusted_html, "council_name": "Brackenford"},
        title="Grant agreement",
    )
    assert data.startswith(b"%PDF-")
    return pikepdf.open(io.BytesIO(data))


def test_a_generated_pdf_is_tagged_titled_and_in_english():
    pdf = _pdf()
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert bool(root.MarkInfo.Marked)
    assert str(root.Lang).lower() == "en-gb"
    assert root.ViewerPreferences.DisplayDocTitle
    assert str(pdf.docinfo.get("/Title")) == "Grant agreement" or "Grant agreement" in str(
        pdf.open_metadata().get("dc:title", "")
    )


def test_a_table_in_a_pdf_keeps_its_header_cells():
    pdf = _pdf()
    tags = set()

    def walk(node):
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            tags.add(str(node.S))
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                walk(kid)
        elif isinstance(kids, pikepdf.Dictionary):
            walk(kids)

    walk(pdf.Root.StructTreeRoot)
    assert {"/Table", "/TH", "/TD"} <= tags


def test_a_pdf_cannot_read_files_from_the_server():
    pdf = _pdf(
        '<img src="file:///etc/passwd" alt="x"><link rel="stylesheet" href="file:///etc/hostname">'
    )
    text = b"".join(page.Contents.read_bytes() for page in pdf.pages if "/Contents" in page)
    assert b"root:" not in text
    assert len(pdf.pages) >= 1


def test_a_pdf_cannot_reach_a_server_on_the_network(loopback_listener):
    port, hits = loopback_listener
    _pdf(
        f'<img src="http://127.0.0.1:{port}/probe.png" alt="x">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/probe.css">'
    )
    assert hits == []


def test_a_pdf_still_uses_the_sites_own_stylesheet():
    from core.pdf import PDF_ORIGIN, StaticOnlyURLFetcher

    fetcher = StaticOnlyURLFetcher()
    response = fetcher.fetch(f"{PDF_ORIGIN}/static/css/pdf.css")
    assert b"@page" in response.read()
    with pytest.raises(OSError):
        fetcher.fetch(f"{PDF_ORIGIN}/static/../../config/settings/base.py")
    with pytest.raises(OSError):
        fetcher.fetch("https://example.com/tracker.png")
