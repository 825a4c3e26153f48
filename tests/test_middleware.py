"""amf/middleware.py and the cookies: account pages, which carry keys and secrets, are never stored by
a cache; the CSRF cookie is out of reach of scripts; a sign-out wipes what the site stored in the
browser (the check-in pages' offline data above all)."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from tests.delegates.accounts import verified_user
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def test_password_reset_link_and_the_page_it_leads_to_are_never_stored(client):
    user = verified_user("reset@example.org")
    key_url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )

    redirect = client.get(key_url)
    page = client.get(redirect["Location"])

    # allauth moves the key out of the address into the session, then shows the form.
    assert redirect.status_code == 302
    assert redirect["Location"].endswith("-set-password/")
    assert redirect["Cache-Control"] == NO_STORE
    assert page.status_code == 200
    assert b'name="password1"' in page.content
    assert page["Cache-Control"] == NO_STORE


def test_email_confirmation_page_is_never_stored(client):
    user = UserFactory(email="confirm@example.org")
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key

    response = client.get(reverse("account_confirm_email", kwargs={"key": key}))

    assert response.status_code == 200
    assert b"confirm@example.org" in response.content
    assert response["Cache-Control"] == NO_STORE


def test_a_redirect_made_before_the_view_keeps_the_key_out_of_caches_too(client):
    # CommonMiddleware adds the missing slash with a permanent (cacheable) redirect carrying the key.
    response = client.get("/accounts/confirm-email/some-key")

    assert response.status_code == 301
    assert response["Location"] == "/accounts/confirm-email/some-key/"
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_every_account_page_is_never_stored(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_public_pages_keep_their_own_caching(client):
    forum = ForumFactory()

    response = client.get(reverse("events:forum", kwargs={"forum_slug": forum.slug}))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_csrf_cookie_is_http_only(client):
    response = client.get(reverse("account_login"))

    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


CLEAR_SITE_DATA = '"cache", "storage"'


def test_sign_out_clears_site_data(client):
    client.force_login(UserFactory(username="door", is_staff=True))

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA
    assert "_auth_user_id" not in client.session


def test_admin_sign_out_clears_site_data_too(client):
    client.force_login(UserFactory(username="door", is_staff=True))

    response = client.post(reverse("admin:logout"))

    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA


def test_pages_that_sign_nobody_out_do_not_clear_site_data(client):
    client.force_login(UserFactory(username="door", is_staff=True))

    assert "Clear-Site-Data" not in client.get(reverse("account_logout"))  # the "Sign out?" page
    assert "Clear-Site-Data" not in client.get(reverse("events:home"))
    client.logout()
    assert "Clear-Site-Data" not in client.post(reverse("account_logout"))  # nobody was signed in
