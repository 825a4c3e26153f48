"""Top-level URL configuration."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import site_pages
from .health import healthz

# The admin signs staff in through allauth: its rate limits and two-factor authentication apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "AMF Events"
admin.site.site_title = "AMF Events"
admin.site.index_title = "ASEAN Mayors Forum administration"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", site_pages.robots_txt, name="robots-txt"),
    path("favicon.ico", site_pages.favicon_ico, name="favicon-ico"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("checkin/", include("delegates.checkin.urls")),
    path("", include("delegates.urls")),
    path("", include("events.urls")),
]
