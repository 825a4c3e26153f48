"""The site's small pages (amf/site_pages.py): /robots.txt, /favicon.ico, the CSRF failure page and
the rate-limit page (templates/429.html, rendered by allauth)."""

import io
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def html(response) -> str:
    return re.sub(r" >", ">", " ".join(response.content.decode().split()))


def _robots_allows(robots: str, path: str) -> bool:
    """RFC 9309: the longest matching rule decides ("*" matches any run of characters), Allow wins a
    tie; no matching rule allows."""
    best_length, allowed = -1, True
    for line in robots.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field not in {"allow", "disallow"} or not value:
            continue
        pattern = "".join(".*" if char == "*" else re.escape(char) for char in value.rstrip("$"))
        matches = re.match(pattern + ("$" if value.endswith("$") else ""), path)
        if matches and (len(value) > best_length or (len(value) == best_length and field == "allow")):
            best_length, allowed = len(value), field == "allow"
    return allowed


# --- robots.txt ------------------------------------------------------------------------------------


def test_robots_txt_lets_crawlers_read_the_public_pages_only(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /accounts/\n"
        "Disallow: /my/registrations/\n"
        "Disallow: /forums/*/register/\n"
        "Allow: /\n"
    )


def test_robots_txt_rules_match_the_real_addresses(client):
    forum = ForumFactory(slug="amf-2026")
    robots = client.get("/robots.txt").content.decode()

    public = [
        reverse("events:home"),
        reverse("events:forum", args=[forum.slug]),
        reverse("events:programme", args=[forum.slug]),
        reverse("events:programme-ics", args=[forum.slug]),
        reverse("events:speakers", args=[forum.slug]),
        reverse("delegates:privacy"),
    ]
    private = [
        reverse("admin:index"),
        reverse("admin:delegates_registration_changelist"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("delegates:my-registrations"),
        reverse("delegates:registration", args=["R-ABC123"]),
        reverse("delegates:register", args=[forum.slug]),
    ]
    assert {path: _robots_allows(robots, path) for path in public} == dict.fromkeys(public, True)
    assert {path: _robots_allows(robots, path) for path in private} == dict.fromkeys(private, False)


def test_robots_txt_does_not_name_a_custom_admin_path(client, settings):
    settings.ADMIN_URL = "staff-7f3a/"

    body = client.get("/robots.txt").content.decode()

    assert "admin" not in body
    assert "staff-7f3a" not in body
    assert "Disallow: /accounts/\n" in body


# --- favicon.ico -----------------------------------------------------------------------------------


def test_favicon_ico_is_served_and_cacheable(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response.content == (ROOT / "static" / "img" / "favicon.ico").read_bytes()
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert sorted(icon.info["sizes"]) == [(16, 16), (32, 32), (48, 48)]


def test_favicon_ico_answers_head_and_refuses_post(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


def test_pages_name_both_icons(client):
    page = html(client.get(reverse("events:home")))

    assert '<link rel="icon" href="/static/img/favicon.ico" sizes="32x32">' in page
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page


# --- CSRF failure ----------------------------------------------------------------------------------

CSRF_TITLE = "<h1>Please send the form again</h1>"
LOGIN_FORM = {"login": "delegate@example.org", "password": "not-checked-anyway"}


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_csrf_failure_without_the_cookie_asks_to_allow_cookies(csrf_client):
    response = csrf_client.post(reverse("account_login"), LOGIN_FORM)

    page = html(response)
    assert response.status_code == 403
    assert "<title> Please send the form again – AMF Events </title>" in page
    assert CSRF_TITLE in page
    assert '<span class="brand__name">AMF Events</span>' in page  # the site's layout
    assert '<footer class="site-footer">' in page
    assert (
        "Your browser did not send this site's security cookie. Please allow cookies for testserver, then "
        "reload the form and send it again." in page
    )
    # No page to go back to: the way back is the home page.
    assert re.findall(r'<a class="button[^"]*" href="([^"]*)">([^<]*)</a>', page) == [("/", "See all forums")]


def test_csrf_failure_with_a_stale_token_leads_back_to_the_form(csrf_client):
    login_url = reverse("account_login")
    csrf_client.get(login_url)  # sets the CSRF cookie

    response = csrf_client.post(
        login_url,
        {**LOGIN_FORM, "csrfmiddlewaretoken": "x" * 64},
        HTTP_REFERER=f"http://testserver{login_url}?next=/my/registrations/",
    )

    page = html(response)
    assert response.status_code == 403
    assert CSRF_TITLE in page
    assert (
        "This usually happens when you signed in or out in another tab or window after opening the form."
        in page
    )
    assert re.findall(r'<a class="button[^"]*" href="([^"]*)">([^<]*)</a>', page) == [
        ("http://testserver/accounts/login/?next=/my/registrations/", "Back to the form"),
        ("/", "See all forums"),
    ]


def test_csrf_failure_never_links_back_to_another_site(csrf_client):
    csrf_client.get(reverse("account_login"))

    response = csrf_client.post(
        reverse("account_login"), LOGIN_FORM, HTTP_REFERER="https://evil.example/form"
    )

    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert "Back to the form" not in response.content.decode()


def test_csrf_failure_from_another_origin_explains_the_origin_check(csrf_client):
    csrf_client.get(reverse("account_login"))

    response = csrf_client.post(reverse("account_login"), LOGIN_FORM, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert "did not say which page the form was sent from" in html(response)


def test_csrf_failure_page_shows_who_is_signed_in(csrf_client, django_user_model):
    user = django_user_model.objects.create_user(username="d1", email="d1@example.org", password="x" * 12)
    csrf_client.force_login(user)

    response = csrf_client.post(reverse("account_logout"))

    page = html(response)
    assert response.status_code == 403
    assert '<a href="/my/registrations/">My registrations</a>' in page
    # The page's own sign-out form carries a fresh token.
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">', page)


# --- 429 -------------------------------------------------------------------------------------------


@pytest.fixture
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    cache.clear()
    yield
    cache.clear()


def test_rate_limited_sign_in_gets_the_site_page_with_status_429(client, rate_limits):
    client.post(reverse("account_login"), LOGIN_FORM)

    response = client.post(reverse("account_login"), LOGIN_FORM)

    page = html(response)
    assert response.status_code == 429
    assert "<title> Too many attempts – AMF Events </title>" in page
    assert "<h1>Too many attempts</h1>" in page
    assert '<span class="brand__name">AMF Events</span>' in page
    assert "Please wait a few minutes, then try again." in page
    assert re.findall(r'<a class="button[^"]*" href="([^"]*)">([^<]*)</a>', page) == [
        ("/accounts/login/", "Back to sign in"),
        ("/", "See all forums"),
    ]
