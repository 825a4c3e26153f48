"""The door team's check-in pages: the forums and their lists, the scanner of one list, and the pieces
that make the scanner an installable web app that works offline (service worker, manifest).

The pages hold no delegate data: the scanner fetches its list's offline data from the JSON API
(``delegates/checkin/api.py``) and keeps it in the device's IndexedDB; what the page itself carries is
the list, the addresses of the API, the translated strings of the script and the user's rights."""

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events.models import Forum

from ..models import CheckInList
from ..permissions import CHECK_IN, PRINT_BADGES, UNDO_CHECKIN
from ..staff.selectors import staff_scope
from .api import needs_mfa
from .selectors import checkin_lists_for_user
from .strings import scanner_strings
from .verdicts import staff_display_name

# What the service worker keeps for offline use; a change of any of these files (their hashed names in
# production) changes the worker, so that devices update it.
OFFLINE_ASSETS = (
    "css/site.css",
    "css/checkin.css",
    "js/checkin/scanner.js",
    "js/checkin/store.js",
    "js/checkin/offline-list.js",
    "js/checkin/feedback.js",
    "js/checkin/camera.js",
    "js/checkin/decoder-worker.js",
    "js/checkin/register.js",
    "vendor/jsqr/jsQR.js",
    "img/logo-mark.svg",
    "img/favicon.svg",
    "img/checkin-192.png",
    "img/checkin-512.png",
)


def door_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The gate of the check-in pages, the pages' side of the API's ``door_gate``: not signed in → the
    sign-in page; signed in but not active staff with the check-in permission → 403; staff without
    two-factor authentication where the admin requires it → the page to set it up. Responses are
    never stored by a cache (the service worker keeps its own copy of the pages, wiped on sign-out)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        if not (user.is_active and user.is_staff and user.has_perm(CHECK_IN)):
            raise PermissionDenied
        if needs_mfa(user):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def _lists_by_forum(user) -> list[dict]:
    forums: dict[int, dict] = {}
    for checkin_list in checkin_lists_for_user(user=user):
        entry = forums.setdefault(checkin_list.forum_id, {"forum": checkin_list.forum, "lists": []})
        entry["lists"].append(checkin_list)
    return list(forums.values())


@require_GET
@door_page
def checkin_home(request: HttpRequest) -> HttpResponse:
    """The forums the user works on, newest first, each with its check-in lists."""
    return render(request, "delegates/checkin/home.html", {"forums": _lists_by_forum(request.user)})


@require_GET
@door_page
def checkin_scanner(request: HttpRequest, list_id: str) -> HttpResponse:
    """The scanner of one list: camera, handheld-scanner or typed code, and search."""
    checkin_list = get_object_or_404(
        staff_scope(CheckInList.objects.select_related("forum", "session"), request.user), public_id=list_id
    )
    forum: Forum = checkin_list.forum
    list_id = str(checkin_list.public_id)
    config = {
        "list": {"id": list_id, "name": checkin_list.name, "forum": forum.name},
        "timeZone": forum.time_zone,
        "urls": {
            "data": reverse("checkin:api-list-data", args=[list_id]),
            "scan": reverse("checkin:api-scan", args=[list_id]),
            "sync": reverse("checkin:api-sync", args=[list_id]),
            "search": reverse("checkin:api-search", args=[list_id]),
            "badge": reverse("checkin:badge-print", args=[list_id]),
            "undo": reverse("checkin:api-undo", args=["00000000-0000-0000-0000-000000000000"]),
            "worker": static("js/checkin/decoder-worker.js"),
            "jsqr": static("vendor/jsqr/jsQR.js"),
            "login": reverse("account_login") + "?next=" + request.path,
        },
        "user": staff_display_name(request.user),
        "can": {"undo": request.user.has_perm(UNDO_CHECKIN), "print": request.user.has_perm(PRINT_BADGES)},
        "strings": scanner_strings(),
        "csrfToken": get_token(request),
    }
    return render(
        request,
        "delegates/checkin/scanner.html",
        {"checkin_list": checkin_list, "forum": forum, "config": config},
    )


def _worker_version() -> str:
    """A fingerprint of the assets the worker keeps (their URLs carry the content hash in
    production) and of the worker's own code."""
    digest = hashlib.sha256()
    for name in OFFLINE_ASSETS:
        digest.update(static(name).encode())
    template = get_template("delegates/checkin/sw.js")
    digest.update(Path(template.origin.name).read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker of the check-in pages (scope ``/checkin/``). Public like any script: it
    holds no data, only which files to keep."""
    body = render_to_string(
        "delegates/checkin/sw.js",
        {
            "version": _worker_version(),
            "assets_json": json.dumps([static(name) for name in OFFLINE_ASSETS]),
            "home": reverse("checkin:home"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker at least daily; no-cache makes them ask at each page load.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the check-in pages install as an app of their own."""
    home = reverse("checkin:home")
    data = {
        "name": _("AMF Events check-in"),
        "short_name": _("Check-in"),
        "description": _("Check delegates in at the door, online or offline."),
        "id": home,
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f9",
        "theme_color": "#0b3a6e",
        "icons": [
            {"src": static("img/checkin-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/checkin-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/logo-mark.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
