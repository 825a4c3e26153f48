"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("events.urls")),
]

admin.site.site_header = "AMF Events"
admin.site.site_title = "AMF Events"
admin.site.index_title = "ASEAN Mayors Forum administration"
