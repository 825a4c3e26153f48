"""The real site, plus ``/bench/constant``: the baseline the registration figures are compared with.
It exists only in the benchmark's URLconf, never in production's."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_safe

CONSTANT_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Baseline</title></head>"
    "<body><main><h1>Baseline</h1><p>A constant page.</p></main></body></html>"
)


@require_safe
def constant(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: same server, middleware and headers, no database."""
    return HttpResponse(CONSTANT_PAGE)


urlpatterns = [
    path("bench/constant", constant, name="bench-constant"),
    path("", include("amf.urls")),
]
