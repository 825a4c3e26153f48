"""Form fields and widgets of the registration form: the country list (ASEAN first), the international
phone number, dates, times and flights — tuned for a form rendered on every visit."""

import functools

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

# The ASEAN member states, Timor-Leste included, in the order of their English names.
ASEAN_COUNTRIES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN")

PHONE_INVALID = _("Enter a valid international number, e.g. +66 81 234 5678.")
# The example number of a message when no country tells a better one.
PHONE_EXAMPLE_REGION = "TH"


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


def phone_region(country) -> str | None:
    """The region a number typed without its country code is read in: the delegate's country, when it
    is one of the list and libphonenumber knows its numbering plan; None otherwise."""
    code = str(country or "")
    if code in _country_codes() and code in phonenumbers.SUPPORTED_REGIONS:
        return code
    return None


def _example_number(region: str) -> phonenumbers.PhoneNumber | None:
    return phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)


def phone_invalid_message(raw: str, region: str | None) -> str:
    """Why a typed number is refused, with an example the delegate can follow: a number with a country
    code gets the international form; one without, the form dialled in the chosen country (or, with no
    country chosen yet, a request for the country code)."""
    region = region or None
    example = _example_number(region or PHONE_EXAMPLE_REGION)
    international = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if raw.strip().startswith(("+", "＋")):
        return gettext("Enter a valid international number, e.g. %(example)s.") % {"example": international}
    if region is None:
        return gettext(
            "Enter the number with its country code, e.g. %(example)s, or choose the delegate's country."
        ) % {"example": international}
    return gettext(
        "Enter a valid number for %(country)s: as dialled there, e.g. %(national)s, or with the country "
        "code, e.g. %(international)s."
    ) % {
        "country": countries.name(region),
        "national": phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL),
        "international": international,
    }


class InternationalPhoneField(PhoneNumberField):
    """A mobile number, checked with libphonenumber and stored in E.164: typed with its country code
    (+855 12 345 678), or as dialled within the delegate's country (012 345 678), which the form sets as
    ``region`` from the country chosen. Shown again in international format."""

    default_validators = []  # ``validate`` checks the number: its message depends on the region
    default_error_messages = {"invalid": PHONE_INVALID}

    def to_python(self, value):
        # No phone number is this long: one message, not a second one about the length.
        if isinstance(value, str) and len(value.strip()) > 40:
            raise ValidationError(phone_invalid_message(value, self.region), code="invalid")
        return super().to_python(value)

    def validate(self, value) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        if not isinstance(value, PhoneNumber) or not value.is_valid():
            raw = getattr(value, "raw_input", "") or str(value or "")
            raise ValidationError(phone_invalid_message(raw, self.region), code="invalid")

    def prepare_value(self, value):
        if isinstance(value, PhoneNumber) and value.is_valid():
            return value.as_international
        return value


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
