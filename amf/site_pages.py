"""The site's own small pages: /robots.txt, /favicon.ico and the page of a form that failed the CSRF
check (CSRF_FAILURE_VIEW). The rate-limit page is the template 429.html, which allauth renders."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import REASON_BAD_ORIGIN, REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# A day: both change rarely, and a crawler or browser should not ask on every page.
SMALL_FILE_MAX_AGE = 24 * 60 * 60
DEFAULT_ADMIN_URL = "admin/"
# "Origin checking failed - ..." and every "Referer checking failed - ..." reason of Django's check.
ORIGIN_CHECKS = (REASON_BAD_ORIGIN.split(" - ", 1)[0], REASON_NO_REFERER.split(" - ", 1)[0])


def _area(url: str) -> str:
    """The first segment of a path: "/accounts/login/" -> "/accounts/"."""
    return "/" + url.strip("/").split("/", 1)[0] + "/"


@require_safe
@cache_control(public=True, max_age=SMALL_FILE_MAX_AGE)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the public pages (forums, programme, sessions, speakers, feeds), not the
    accounts, a delegate's own registrations, the registration form or the admin."""
    disallowed = [
        _area(reverse("account_login")),
        reverse("delegates:my-registrations"),
        reverse("delegates:register", kwargs={"forum_slug": "forum"}).replace("/forum/", "/*/"),
    ]
    # robots.txt is public: a non-default ADMIN_URL is kept out of it, as naming it would advertise
    # it. No public page links to the admin, so crawlers do not find it anyway.
    if settings.ADMIN_URL == DEFAULT_ADMIN_URL:
        disallowed.insert(0, reverse("admin:index"))
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), "Allow: /"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=SMALL_FILE_MAX_AGE)
def favicon_ico(request: HttpRequest) -> HttpResponse:
    """The icon that browsers, feed readers and crawlers ask for at /favicon.ico whatever the pages'
    <link rel="icon"> says (static/img/favicon.ico, drawn from favicon.svg)."""
    path = finders.find("img/favicon.ico")
    if path is None:
        raise Http404("No favicon")
    with open(path, "rb") as icon:
        return HttpResponse(icon.read(), content_type="image/vnd.microsoft.icon")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form was sent without a valid CSRF token (403). Says what usually causes it
    and leads back to the form, on the site's layout."""
    back_url = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back_url = ""
    if reason == REASON_NO_CSRF_COOKIE:
        cause = "cookie"
    elif reason.startswith(ORIGIN_CHECKS):
        cause = "origin"
    else:
        cause = "token"
    context = {"back_url": back_url, "cause": cause, "host": request.get_host()}
    return render(request, "403_csrf.html", context, status=403)
