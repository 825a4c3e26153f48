"""The door's check-in, mounted at ``/checkin/``: the endpoints of the page (``api.py``)."""

from django.urls import path

from . import api

app_name = "checkin"

urlpatterns = [
    path("api/lists/<uuid:list_id>/data/", api.list_data, name="api-list-data"),
    path("api/lists/<uuid:list_id>/scan/", api.scan, name="api-scan"),
    path("api/lists/<uuid:list_id>/sync/", api.sync, name="api-sync"),
    path("api/lists/<uuid:list_id>/search/", api.search, name="api-search"),
    path("api/check-ins/<uuid:check_in_id>/undo/", api.undo, name="api-undo"),
    path("lists/<uuid:list_id>/badge/", api.badge_print, name="badge-print"),
]
