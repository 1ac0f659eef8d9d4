"""The 360Giving open data, streamed: public, the same for everyone, and cacheable."""

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from grants import open_data

CACHE_SECONDS = 60 * 60


def _streamed(chunks, *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: other sites' tools may fetch it
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_safe
def package_json(request: HttpRequest) -> StreamingHttpResponse:
    return _streamed(
        open_data.package_chunks(),
        content_type="application/json; charset=utf-8",
        filename="360giving.json",
    )


@require_safe
def package_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _streamed(
        open_data.csv_chunks(),
        content_type="text/csv; charset=utf-8",
        filename="360giving.csv",
    )
