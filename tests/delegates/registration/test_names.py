"""A delegate's name in its order (``delegates/registration/names.py``): put together from its parts,
the order suggested when nobody chose one, the form's choice (never overridden), the badge's suggested
name, and the name as pages, emails and the admin list show it."""

import pytest
from django.core import mail
from django.urls import reverse

from delegates.enums import NameOrder
from delegates.models import Registration
from delegates.registration.forms import DelegateDetailsForm, RegistrationForm
from delegates.registration.names import display_name, name_order_suggested, person_name
from tests.delegates.accounts import staff_user
from tests.delegates.registration.submissions import bound, form_data, page, register_url
from tests.factories import RegistrationFactory

GIVEN, FAMILY = NameOrder.GIVEN_FIRST, NameOrder.FAMILY_FIRST


@pytest.mark.parametrize(
    ("given", "family", "order", "name"),
    [
        ("Maria", "Santos", GIVEN, "Maria Santos"),
        ("Sopheaktra", "Chan", FAMILY, "Chan Sopheaktra"),
        ("Văn An", "Nguyễn", FAMILY, "Nguyễn Văn An"),
        ("Aung Kyaw Min", "", FAMILY, "Aung Kyaw Min"),  # a single name is the given name alone
        ("Aung Kyaw Min", "", GIVEN, "Aung Kyaw Min"),
        ("美玲", "陈", FAMILY, "陈美玲"),  # Chinese is written without a space between the parts
        ("민준", "김", FAMILY, "김민준"),
        ("  Maria ", " Santos  ", GIVEN, "Maria Santos"),
    ],
)
def test_person_name_puts_the_parts_in_their_order(given, family, order, name):
    assert person_name(given_name=given, family_name=family, name_order=order) == name


def test_display_name_puts_the_honorific_before_the_name_in_its_order():
    assert (
        display_name(honorific="H.E.", given_name="Sopheaktra", family_name="Chan", name_order=FAMILY)
        == "H.E. Chan Sopheaktra"
    )
    assert (
        display_name(honorific="Ông", given_name="Văn An", family_name="Nguyễn", name_order=FAMILY)
        == "Ông Nguyễn Văn An"
    )
    assert display_name(honorific="", given_name="Maria", family_name="Santos", name_order=GIVEN) == (
        "Maria Santos"
    )


@pytest.mark.parametrize(
    ("script", "country", "order"),
    [
        ("km", "", FAMILY),
        ("vi", "", FAMILY),
        ("zh-Hans", "SG", FAMILY),  # the script tells, whatever the country
        ("zh-Hant", "", FAMILY),
        ("ja", "", FAMILY),
        ("ko", "", FAMILY),
        ("th", "VN", GIVEN),  # a Thai name is written given name first, even from Viet Nam
        ("lo", "", GIVEN),
        ("my", "", GIVEN),
        ("ta", "", GIVEN),
        ("ms-Arab", "", GIVEN),
        ("", "VN", FAMILY),  # no native-script name: the country tells
        ("und", "KH", FAMILY),
        ("", "HU", FAMILY),
        ("", "JP", FAMILY),
        ("", "PH", GIVEN),
        ("", "", GIVEN),
    ],
)
def test_name_order_suggested_from_the_script_else_the_country(script, country, order):
    assert name_order_suggested(native_name_lang=script, country=country) == order


# --- The form ----------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_a_new_registration_ticks_no_name_order(open_forum, mayors):
    html = str(RegistrationForm(forum=open_forum)["name_order"])

    assert html.count('type="radio"') == 2
    assert "checked" not in html


def test_the_edit_form_ticks_the_stored_name_order(open_forum, mayors):
    registration = RegistrationFactory(category=mayors, name_order=FAMILY)

    form = DelegateDetailsForm(forum=open_forum, registration=registration, instance=registration)

    assert 'value="family_first" id="id_name_order_1" checked' in str(form["name_order"])


@pytest.mark.parametrize(
    ("overrides", "order", "badge_name"),
    [
        ({"native_name": "សុខ វិបុល", "native_name_lang": "km", "given_name": "Vibol", "family_name": "Sok"},
         FAMILY, "Sok Vibol"),
        ({"native_name": "", "country": "VN", "given_name": "Văn An", "family_name": "Nguyễn"},
         FAMILY, "Nguyễn Văn An"),
        ({}, GIVEN, "Somchai Jaidee"),  # Thai script
    ],
)  # fmt: skip
def test_an_order_left_unchosen_is_the_usual_one_and_the_badge_name_follows(
    open_forum, mayors, overrides, order, badge_name
):
    form = bound(open_forum, mayors, name_order="", badge_name="", **overrides)

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["name_order"], form.cleaned_data["badge_name"]) == (order, badge_name)


def test_an_order_chosen_is_never_overridden_by_the_script(open_forum, mayors):
    form = bound(
        open_forum,
        mayors,
        name_order="given_first",
        given_name="Sopheaktra",
        family_name="Chan",
        native_name="ចាន់ សុភ័ក្ត្រា",
        native_name_lang="km",
        country="KH",
        badge_name="",
    )

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["name_order"], form.cleaned_data["badge_name"]) == (
        GIVEN,
        "Sopheaktra Chan",
    )


def test_an_unknown_name_order_is_refused_with_a_message(open_forum, mayors):
    form = bound(open_forum, mayors, name_order="backwards")

    assert not form.is_valid()
    assert form.errors["name_order"] == ["Choose one of the name orders."]


def test_a_badge_name_typed_by_hand_is_kept_as_typed(open_forum, mayors):
    form = bound(open_forum, mayors, name_order="family_first", badge_name="Mr. Somchai")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["badge_name"] == "Mr. Somchai"


def test_editing_the_order_moves_a_suggested_badge_name_but_not_a_typed_one(open_forum, mayors):
    suggested = RegistrationFactory(
        category=mayors, given_name="Sopheaktra", family_name="Chan", badge_name="Sopheaktra Chan"
    )
    typed = RegistrationFactory(
        category=mayors, given_name="Sopheaktra", family_name="Chan", badge_name="Sopheaktra"
    )

    def edit(registration):
        data = {
            **form_data(mayors),
            "given_name": "Sopheaktra",
            "family_name": "Chan",
            "name_order": "family_first",
            "badge_name": registration.badge_name,  # as the edit form shows it
        }
        form = DelegateDetailsForm(data, forum=open_forum, registration=registration, instance=registration)
        assert form.is_valid(), form.errors
        return form.cleaned_data["badge_name"]

    assert edit(suggested) == "Chan Sopheaktra"
    assert edit(typed) == "Sopheaktra"


# --- Where the name is shown ---------------------------------------------------------------------------


def test_pages_and_emails_show_the_name_in_its_order(
    signed_in, open_forum, mayors, django_capture_on_commit_callbacks
):
    data = form_data(mayors, given_name="Sopheaktra", family_name="Chan", badge_name="", name_order="")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(register_url(open_forum), data, follow=True)

    registration = Registration.objects.get()
    assert (registration.name_order, registration.badge_name) == (FAMILY, "Chan Sopheaktra")
    detail = page(response)
    assert "<h1>H.E. Chan Sopheaktra</h1>" in detail
    assert "The registration of H.E. Chan Sopheaktra is confirmed" in detail
    assert "<dt>Name order</dt>\n          <dd>\n            Family name first" in detail
    mine = page(signed_in.get(reverse("delegates:my-registrations")))
    assert ">H.E. Chan Sopheaktra</a>" in mine
    [message] = mail.outbox
    assert message.body.startswith("Dear H.E. Chan Sopheaktra,\n")
    assert "Delegate: H.E. Chan Sopheaktra (សុខ វិបុល)" in message.body


def test_the_admin_list_shows_the_name_in_its_order(client, open_forum, mayors):
    RegistrationFactory(
        category=mayors, honorific="H.E.", given_name="Sopheaktra", family_name="Chan", name_order=FAMILY
    )
    RegistrationFactory(
        category=mayors, honorific="Dr.", given_name="Maria", family_name="Santos", name_order=GIVEN
    )
    client.force_login(staff_user("registrar", "view_registration", "change_registration"))

    response = client.get(reverse("admin:delegates_registration_changelist"), {"o": "2"})  # by name

    names = [str(registration) for registration in response.context["cl"].result_list]
    assert [name.split(" ", 1)[1] for name in names] == ["H.E. Chan Sopheaktra", "Dr. Maria Santos"]
    assert '<td class="field-name">H.E. Chan Sopheaktra</td>' in response.text
