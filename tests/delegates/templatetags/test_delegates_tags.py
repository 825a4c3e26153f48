"""The registration form's template tags (``delegates/templatetags/delegates_tags.py``): the HTML of an
empty field is kept for the next page, so the register page is the same whether its fields come from
the cache or not; a form with errors, or somebody's data, is never served from it."""

import re

import pytest

from tests.delegates.registration.submissions import form_data, page, register_url
from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db


def test_register_page_is_the_same_whether_its_fields_come_from_the_cache_or_not(
    signed_in, open_forum, mayors, site_visit
):
    from delegates.templatetags import delegates_tags

    delegates_tags.clear_field_cache()
    fresh = page(signed_in.get(register_url(open_forum)))
    assert delegates_tags._field_cache, "unbound fields are kept for the next page"
    cached = page(signed_in.get(register_url(open_forum)))

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    nonce = re.compile(r'nonce="[^"]+"')
    assert nonce.sub("", token.sub("", cached)) == nonce.sub("", token.sub("", fresh))
    assert 'value="governor@phnompenh.example.org"' in cached  # the user's own, never from the cache
    assert not any("governor@phnompenh" in html for html in delegates_tags._field_cache.values())


def test_a_form_with_errors_is_never_served_from_the_cache(signed_in, open_forum, mayors):
    signed_in.get(register_url(open_forum))  # fills the cache with the empty fields

    response = signed_in.post(
        register_url(open_forum), form_data(mayors, given_name="", city="Vientiane ວຽງຈັນ")
    )

    body = page(response)
    assert response.status_code == 200
    assert "Enter the delegate&#x27;s given name." in body
    assert 'value="Vientiane ວຽງຈັນ"' in body  # what was typed is kept
    assert 'aria-invalid="true"' in body


def test_cached_fields_are_kept_apart_by_language_value_and_forum(open_forum, mayors):
    from django.utils import translation

    from delegates.registration.forms import RegistrationForm
    from delegates.templatetags.delegates_tags import _field_cache_key

    form = RegistrationForm(forum=open_forum)
    key = _field_cache_key(form["country"], {})
    with translation.override("th"):
        assert _field_cache_key(form["country"], {}) != key
    prefilled = RegistrationForm(forum=open_forum, initial={"country": "KH", "email": "a@example.org"})
    assert _field_cache_key(prefilled["country"], {}) is None  # somebody's data: rendered each time
    assert _field_cache_key(prefilled["email"], {}) is None
    assert _field_cache_key(prefilled["dietary"], {}) is not None  # the model's default: shared
    other_forum = RegistrationForm(forum=ForumFactory(slug="other-forum"))
    assert _field_cache_key(other_forum["country"], {}) != key
    assert _field_cache_key(form["privacy_consent"], {"help_html": "a"}) != _field_cache_key(
        form["privacy_consent"], {"help_html": "b"}
    )
    bound = RegistrationForm({"country": "KH"}, forum=open_forum)
    assert _field_cache_key(bound["country"], {}) is None
