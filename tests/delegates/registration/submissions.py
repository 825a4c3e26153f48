"""What a delegate's details look like on their way in, for the registration tests: the data the form
hands to the service (``delegate_data``), a form bound to valid data (``valid_data``, ``bound``) and
what a browser posts to the registration page (``form_data``, ``register_url``) and the HTML it gets
back (``page``)."""

import itertools

from django.urls import reverse

from delegates.registration.forms import RegistrationForm

_numbers = itertools.count(1)


def delegate_data(n: int | None = None, **overrides) -> dict:
    """What the registration form hands to the service for delegate ``n``."""
    n = next(_numbers) if n is None else n
    return {
        "email": f"mayor{n}@city{n}.example.org",
        "honorific": "H.E.",
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "badge_name": f"Given{n} Family{n}",
        "position": "Mayor",
        "organisation": f"City of Number {n}",
        "city": f"Number {n}",
        "country": "TH",
        "phone": "+66812345678",
        **overrides,
    }


def valid_data(chosen, /, **overrides) -> dict:
    data = {
        "category": str(chosen.pk),
        "email": "somchai@bangkok.example.org",
        "honorific": "Mr.",
        "given_name": "Somchai",
        "family_name": "Jaidee",
        "badge_name": "",
        "native_name": "สมชาย ใจดี",
        "native_name_lang": "th",
        "position": "Deputy Governor",
        "organisation": "Bangkok Metropolitan Administration",
        "city": "Bangkok",
        "country": "TH",
        "phone": "+66 81 234 5678",
        "dietary": "none",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def bound(forum, chosen, /, **overrides) -> RegistrationForm:
    return RegistrationForm(valid_data(chosen, **overrides), forum=forum)


def form_data(category, **overrides) -> dict:
    """What a browser posts for a complete registration (an unticked checkbox is simply absent)."""
    data = {
        "category": str(category.pk),
        "honorific": "H.E.",
        # A Khmer name: family name Sok, given name Vibol, written family name first.
        "given_name": "Vibol",
        "family_name": "Sok",
        "badge_name": "Sok Vibol",
        "native_name": "សុខ វិបុល",
        "native_name_lang": "km",
        "position": "Governor",
        "organisation": "Phnom Penh Capital Administration",
        "city": "Phnom Penh",
        "country": "KH",
        "email": "governor@phnompenh.example.org",
        "phone": "+855 12 345 678",
        "dietary": "other",
        "dietary_other": "No beef",
        "allergies": "Peanuts",
        "accessibility_needs": "",
        "accompanying_persons": "Chan Dara, protocol officer",
        "arrival_date": "2030-10-05",
        "arrival_time": "14:30",
        "arrival_flight": "pg 931",
        "departure_date": "2030-10-08",
        "departure_time": "18:45",
        "departure_flight": "PG 932",
        "needs_airport_transfer": "on",
        "hotel": "",
        "media_consent": "on",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register_url(forum) -> str:
    return reverse("delegates:register", args=[forum.slug])


def page(response) -> str:
    return response.content.decode()
