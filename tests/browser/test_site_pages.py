"""The site's small pages as a person meets them in chromium at 360 px: the CSRF failure and
rate-limit pages on the site's layout, and the icon."""

import io

import pytest
from django.core.cache import cache
from PIL import Image, ImageChops, ImageStat

from tests.factories import UserFactory

from .conftest import assert_no_horizontal_scroll
from .favicon import SIZES, favicon_frames

EMAIL = "sok.vibol@phnompenh.example.org"
PASSWORD = "Mekong-river-2031!"


def _document_status_problems(page) -> list[str]:
    """Console errors other than chromium's own note that the document answered 403 or 429."""
    return [
        message
        for message in page.problems.messages
        if "the server responded with a status of" not in message
    ]


def _submit_sign_in(page) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


# --- CSRF failure ----------------------------------------------------------------------------------


def test_csrf_failure_page_has_the_site_layout_a_message_and_the_way_back(
    transactional_db, live_server, phone_page, axe_check
):
    page = phone_page
    page.goto(live_server.url + "/accounts/login/")
    page.context.clear_cookies()  # as when cookies are blocked or were cleared since the form was shown

    with page.expect_navigation() as navigation:
        _submit_sign_in(page)

    assert navigation.value.status == 403
    assert page.title() == "Please send the form again – AMF Events"
    assert page.locator(".site-header .brand__name").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Please send the form again"
    assert page.get_by_text("Your browser did not send this site's security cookie.").is_visible()
    axe_check(page)
    assert_no_horizontal_scroll(page)
    assert _document_status_problems(page) == []

    page.get_by_role("link", name="Back to the form").click()
    page.wait_for_url(live_server.url + "/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


# --- 429 -------------------------------------------------------------------------------------------


@pytest.fixture
def one_sign_in_a_minute(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    cache.clear()
    yield
    cache.clear()


def test_rate_limit_page_has_the_site_layout_and_says_what_to_do(
    transactional_db, live_server, phone_page, axe_check, one_sign_in_a_minute
):
    UserFactory(email=EMAIL)
    page = phone_page
    page.goto(live_server.url + "/accounts/login/")
    _submit_sign_in(page)  # wrong password: the form says so
    page.get_by_role("heading", level=1, name="Sign in").wait_for()

    with page.expect_navigation() as navigation:
        _submit_sign_in(page)

    assert navigation.value.status == 429
    assert page.title() == "Too many attempts – AMF Events"
    assert page.locator(".site-header .brand__name").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Too many attempts"
    assert page.get_by_text("Please wait a few minutes, then try again.").is_visible()
    assert page.get_by_role("link", name="Back to sign in").is_visible()
    axe_check(page)
    assert_no_horizontal_scroll(page)
    assert _document_status_problems(page) == []


# --- favicon ---------------------------------------------------------------------------------------


def test_favicon_ico_is_the_svg_mark_at_each_size(browser, live_server, phone_page):
    response = phone_page.request.get(live_server.url + "/favicon.ico")
    icon = Image.open(io.BytesIO(response.body()))

    assert response.status == 200
    drawn = favicon_frames(browser)
    for size, expected in zip(SIZES, drawn, strict=True):
        icon.size = (size, size)
        frame = icon.copy().convert("RGBA")
        difference = ImageStat.Stat(ImageChops.difference(frame, expected)).mean
        # Rendering may differ by a shade between chromium versions, never by a drawing.
        assert max(difference) < 4, (
            f"{size} px frame differs from favicon.svg: run `python -m tests.browser.favicon` to redraw it"
        )
