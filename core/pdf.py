"""Every PDF the product makes is rendered here: tagged PDF/UA, and only our own static files fetched.

Import this module only where documents are made (tasks, services): WeasyPrint takes half a second
to import, which a worker pays once and a web request should never pay.
"""

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

PDF_ORIGIN = "https://seedbed.pdf.internal"


class StaticOnlyURLFetcher(URLFetcher):
    """Gives WeasyPrint the project's static files and inline data, and nothing else.

    WeasyPrint will otherwise fetch any URL in a document, local files included; a field a person
    typed could then read the server's files or probe its network.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = f"{PDF_ORIGIN}{settings.STATIC_URL}"
        if url.startswith(static_prefix):
            relative = url.removeprefix(static_prefix).split("?")[0].split("#")[0]
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    body = Path(found).read_bytes()
                    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
        self.refused.append(url)
        raise URLFetchingError(f"Refused {url!r}: documents may only use the site's own files.")


def render_pdf(
    template_name: str, context: dict[str, Any], *, title: str, lang: str = "en-GB"
) -> bytes:
    """Render a template to a tagged, accessible PDF (PDF/UA-1)."""
    html = render_to_string(template_name, {**context, "pdf_title": title, "pdf_lang": lang})
    document = HTML(string=html, base_url=f"{PDF_ORIGIN}/", url_fetcher=StaticOnlyURLFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
