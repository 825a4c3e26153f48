"""The door's check-in, mounted at ``/checkin/``: the pages (``pages.py``: the lists, the scanner, the
service worker and manifest of the installable app) and the endpoints they call (``api.py``)."""

from django.urls import path

from . import api, pages

app_name = "checkin"

urlpatterns = [
    path("", pages.checkin_home, name="home"),
    path("lists/<uuid:list_id>/", pages.checkin_scanner, name="scanner"),
    # At the scope's root, so that the worker may control every check-in page.
    path("sw.js", pages.service_worker, name="service-worker"),
    path("manifest.webmanifest", pages.manifest, name="manifest"),
    path("api/lists/<uuid:list_id>/data/", api.list_data, name="api-list-data"),
    path("api/lists/<uuid:list_id>/scan/", api.scan, name="api-scan"),
    path("api/lists/<uuid:list_id>/sync/", api.sync, name="api-sync"),
    path("api/lists/<uuid:list_id>/search/", api.search, name="api-search"),
    path("api/check-ins/<uuid:check_in_id>/undo/", api.undo, name="api-undo"),
    path("lists/<uuid:list_id>/badge/", api.badge_print, name="badge-print"),
]
