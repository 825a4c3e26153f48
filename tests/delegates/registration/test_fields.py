"""The fields of the registration form (``delegates/registration/fields.py``), in the form: the
country list, ASEAN first, and the international phone number, its message and its normal form."""

import pytest

from delegates.registration.fields import ASEAN_COUNTRIES
from delegates.registration.forms import RegistrationForm
from tests.delegates.registration.submissions import bound

pytestmark = pytest.mark.django_db

PHONE_INVALID = "Enter a valid international number, e.g. +66 81 234 5678."


def test_country_choices_put_the_eleven_asean_members_first_then_all_others(open_forum, mayors):
    choices = RegistrationForm(forum=open_forum).fields["country"].choices

    assert choices[0] == ("", "Choose a country")
    assert choices[1][0] == "ASEAN member states"
    assert [code for code, _name in choices[1][1]] == list(ASEAN_COUNTRIES)
    assert dict(choices[1][1])["TL"] == "Timor-Leste"
    others = [code for code, _name in choices[2][1]]
    assert choices[2][0] == "All other countries"
    assert "TL" not in others and "FR" in others and len(others) + 11 == 249


@pytest.mark.parametrize(
    "phone",
    [
        "081 234 5678",
        "+66 12",
        "+66 81 234 5678 9999",
        "phone",
        "+",
        "+66 81 234 5678 ext",
        "0066 81 234 5678",
        "x" * 300,
    ],
)
def test_malformed_phone_numbers_get_the_international_format_message(open_forum, mayors, phone):
    form = bound(open_forum, mayors, phone=phone)

    assert not form.is_valid()
    assert form.errors["phone"] == [PHONE_INVALID]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("+66 81 234 5678", "+66812345678"),
        ("+855 12 345 678", "+85512345678"),
        ("+84 (91) 234-56-78", "+84912345678"),
        ("+670 7723 4567", "+67077234567"),
        ("+６６ ８１ ２３４ ５６７８", "+66812345678"),  # full-width digits, as some phone keyboards type
    ],
)
def test_international_phone_numbers_are_accepted_and_normalised(open_forum, mayors, phone, stored):
    form = bound(open_forum, mayors, phone=phone)

    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == stored
