"""Form fields and widgets of the registration form: the country list (ASEAN first), the international
phone number, dates, times and flights — tuned for a form rendered on every visit."""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber, to_python

# The ASEAN member states, Timor-Leste included, in the order of their English names.
ASEAN_COUNTRIES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN")

PHONE_INVALID = _("Enter a valid international number, e.g. +66 81 234 5678.")


def country_choices() -> list:
    """ASEAN first (Timor-Leste included), then every other country, as two labelled groups, in the
    active language (sorted by django-countries in that language; worked out once per language)."""
    return _country_choices(translation.get_language())


@functools.lru_cache(maxsize=32)
def _country_choices(language: str | None) -> list:
    asean = [(code, countries.name(code)) for code in ASEAN_COUNTRIES]
    others = [(country.code, country.name) for country in countries if country.code not in ASEAN_COUNTRIES]
    return [
        ("", str(_("Choose a country"))),
        (str(_("ASEAN member states")), asean),
        (str(_("All other countries")), others),
    ]


class CountryChoiceField(forms.ChoiceField):
    """The country list (ASEAN first), built in the active language only when it is shown; a submitted
    code is checked against the set of codes, not by walking some 250 options."""

    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return str(value) in _country_codes()


@functools.cache
def _country_codes() -> frozenset[str]:
    return frozenset(country.code for country in countries)


def validate_international_phone(value) -> None:
    number = to_python(value)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise ValidationError(PHONE_INVALID, code="invalid")


class InternationalPhoneField(PhoneNumberField):
    """A mobile number in international format (+country code), checked with libphonenumber."""

    default_validators = [validate_international_phone]
    default_error_messages = {"invalid": PHONE_INVALID}

    def to_python(self, value):
        # No phone number is this long: one message, not a second one about the length.
        if isinstance(value, str) and len(value.strip()) > 40:
            raise ValidationError(PHONE_INVALID, code="invalid")
        return super().to_python(value)


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def flight_widget() -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
    )


class LongSelect(forms.Select):
    """A <select> whose options are written in Python rather than through one template include per
    option. The country list has ~250 options: Django's template-rendered options were half the cost of
    the registration page. The HTML is the same as Django's own select widget."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html
