"""The fields of the registration form (``delegates/registration/fields.py``), in the form: the
country list, ASEAN first, and the phone number — with its country code, or as dialled in the chosen
country — its messages, its stored form (E.164) and its international form when shown again."""

import pytest

from delegates.registration.fields import ASEAN_COUNTRIES
from delegates.registration.forms import DelegateDetailsForm, RegistrationForm
from tests.delegates.registration.submissions import bound
from tests.factories import RegistrationFactory

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
    "phone", ["+66 12", "+66 81 234 5678 9999", "+", "+66 81 234 5678 ext", "＋66 12", "+99 123"]
)
def test_malformed_international_numbers_get_the_international_format_message(open_forum, mayors, phone):
    form = bound(open_forum, mayors, phone=phone)  # country: Thailand

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


@pytest.mark.parametrize(
    ("country", "phone", "stored"),
    [
        ("KH", "012 345 678", "+85512345678"),
        ("TH", "081 234 5678", "+66812345678"),
        ("VN", "0912 345 678", "+84912345678"),
        ("LA", "020 23 123 456", "+8562023123456"),
        ("MM", "09 212 3456", "+9592123456"),
        ("PH", "0905 123 4567", "+639051234567"),
        ("ID", "0812-345-678", "+62812345678"),
        ("MY", "012-345 6789", "+60123456789"),
        ("SG", "8123 4567", "+6581234567"),
        ("BN", "712 3456", "+6737123456"),
        ("TL", "7721 2345", "+67077212345"),
        ("HU", "06 20 123 4567", "+36201234567"),
    ],
)
def test_numbers_in_national_format_are_read_in_the_chosen_country(
    open_forum, mayors, country, phone, stored
):
    form = bound(open_forum, mayors, country=country, phone=phone)

    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == stored


def test_a_number_with_its_country_code_is_kept_whatever_the_country(open_forum, mayors):
    form = bound(open_forum, mayors, country="KH", phone="+66 81 234 5678")  # a Thai number in Cambodia

    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == "+66812345678"


@pytest.mark.parametrize(
    ("country", "phone", "message"),
    [
        (
            "KH",
            "081 234 5678",
            "Enter a valid number for Cambodia: as dialled there, e.g. 091 234 567, or with the country "
            "code, e.g. +855 91 234 567.",
        ),
        (
            "TH",
            "phone",
            "Enter a valid number for Thailand: as dialled there, e.g. 081 234 5678, or with the country "
            "code, e.g. +66 81 234 5678.",
        ),
        (
            "TH",
            "x" * 300,
            "Enter a valid number for Thailand: as dialled there, e.g. 081 234 5678, or with the country "
            "code, e.g. +66 81 234 5678.",
        ),
        ("VN", "+84 12", "Enter a valid international number, e.g. +84 912 345 678."),
    ],
)
def test_a_number_not_valid_in_the_chosen_country_says_how_it_is_written_there(
    open_forum, mayors, country, phone, message
):
    form = bound(open_forum, mayors, country=country, phone=phone)

    assert not form.is_valid()
    assert form.errors["phone"] == [message]


@pytest.mark.parametrize("country", ["", "XX"])
def test_a_number_without_country_code_and_no_country_asks_for_the_code(open_forum, mayors, country):
    form = bound(open_forum, mayors, country=country, phone="012 345 678")

    assert not form.is_valid()
    assert form.errors["phone"] == [
        "Enter the number with its country code, e.g. +66 81 234 5678, or choose the delegate's country."
    ]


def test_a_stored_number_is_shown_in_international_format(open_forum, mayors):
    registration = RegistrationFactory(category=mayors, phone="+85512345678")

    form = DelegateDetailsForm(forum=open_forum, registration=registration, instance=registration)

    assert 'value="+855 12 345 678"' in str(form["phone"])
