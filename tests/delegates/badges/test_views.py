"""Every way to download a badge, and who may: the delegate and whoever registered them (from "My
registrations"), staff with the permission (download and preview, under the admin). Anyone else gets
404 (staff without the permission: 403); nobody signed in is sent to sign in."""

import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse

from delegates.badges.storage import badge_store
from delegates.enums import RegistrationStatus
from delegates.models import Registration
from delegates.registration.services import registration_cancel
from events.enums import BadgeLayout
from tests.delegates.accounts import staff_user
from tests.delegates.badges.pdfs import page_size_mm, pdf_lines, pdf_text, qr_texts, write_pdf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF_CACHE_CONTROL = "private, no-store"


@pytest.fixture
def delegate_user():
    user = UserFactory(email="sok.vibol@phnompenh.example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def registration(open_forum, mayors, register, assistant):
    """Registered by the mayor's assistant for the mayor's own email address, confirmed."""
    registered = register(
        open_forum,
        mayors,
        by=assistant,
        email="sok.vibol@phnompenh.example.org",
        badge_name="Sok Vibol",
        city="Phnom Penh",
        country="KH",
    )
    return Registration.objects.select_related("forum", "category").get(pk=registered.pk)


def download_url(registration: Registration) -> str:
    return reverse("delegates:badge-download", args=[registration.public_id])


def staff_download_url(registration: Registration) -> str:
    return reverse("admin:delegates_registration_badge", args=[registration.pk])


def preview_url(registration: Registration, layout: str = "") -> str:
    url = reverse("admin:delegates_registration_badge_preview", args=[registration.pk])
    return f"{url}?layout={layout}" if layout else url


def assert_badge_attachment(response, registration: Registration, tmp_path) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="badge-{registration.reference}.pdf"'
    assert response["Cache-Control"] == PDF_CACHE_CONTROL
    path = write_pdf(b"".join(response.streaming_content), tmp_path)
    assert "Sok Vibol" in pdf_lines(path)
    assert qr_texts(path) == [Registration.objects.get(pk=registration.pk).checkin_token]


# --- The delegate's own download -----------------------------------------------------------------------


def test_delegate_downloads_their_badge(client, registration, delegate_user, tmp_path):
    client.force_login(delegate_user)

    response = client.get(download_url(registration))

    assert_badge_attachment(response, registration, tmp_path)


def test_whoever_registered_the_delegate_downloads_the_badge(client, registration, assistant, tmp_path):
    client.force_login(assistant)

    response = client.get(download_url(registration))

    assert_badge_attachment(response, registration, tmp_path)


def test_delegate_account_linked_to_the_registration_downloads_the_badge(client, registration, tmp_path):
    owner = UserFactory(email="someone.else@example.org")  # no verified address of the registration
    Registration.objects.filter(pk=registration.pk).update(user=owner)
    client.force_login(owner)

    response = client.get(download_url(registration))

    assert_badge_attachment(response, registration, tmp_path)


def test_a_badge_that_cannot_print_is_explained_not_rendered_with_empty_boxes(
    client, registration, assistant
):
    # A character no badge font draws, put there behind the form's back (the form refuses it).
    Registration.objects.filter(pk=registration.pk).update(badge_name="Sok Vibol \ue000")
    client.force_login(assistant)

    detail = client.get(reverse("delegates:registration", args=[registration.public_id]))
    response = client.get(download_url(registration))

    assert detail.status_code == 200
    assert "The name badge cannot be printed as the details are now:" in detail.text
    assert "no font has U+E000" in detail.text
    assert download_url(registration) not in detail.text  # no link to a badge with empty boxes
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == PDF_CACHE_CONTROL
    assert "The name badge cannot be printed yet" in response.text
    assert "no font has U+E000" in response.text
    assert reverse("delegates:registration-edit", args=[registration.public_id]) in response.text
    assert Registration.objects.get(pk=registration.pk).badge_file.name == ""  # nothing rendered


def test_download_serves_the_stored_badge_and_renders_it_when_missing(client, registration, assistant):
    client.force_login(assistant)
    assert Registration.objects.get(pk=registration.pk).badge_file.name == ""

    first = b"".join(client.get(download_url(registration)).streaming_content)

    stored = Registration.objects.get(pk=registration.pk)
    assert stored.badge_file.name.startswith(f"badges/amf-2031/{stored.public_id}-")
    assert default_storage.open(stored.badge_file.name).read() == first
    second = b"".join(client.get(download_url(registration)).streaming_content)
    assert second == first  # served from storage, not rendered again
    assert Registration.objects.get(pk=registration.pk).badge_file.name == stored.badge_file.name


def test_someone_else_gets_404(client, registration):
    client.force_login(UserFactory(email="curious@other-city.example.org"))

    response = client.get(download_url(registration))

    assert response.status_code == 404
    assert Registration.objects.get(pk=registration.pk).badge_file.name == ""  # nothing rendered


def test_an_unverified_address_of_the_delegate_is_not_enough(client, registration):
    user = UserFactory(email="sok.vibol@phnompenh.example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)

    assert client.get(download_url(registration)).status_code == 404


def test_nobody_signed_in_is_sent_to_sign_in(client, registration):
    url = download_url(registration)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED])
def test_no_badge_until_confirmed(client, registration, assistant, status):
    Registration.objects.filter(pk=registration.pk).update(status=status)
    client.force_login(assistant)

    assert client.get(download_url(registration)).status_code == 404


def test_no_badge_once_cancelled(client, registration, assistant):
    badge_store(registration=registration)
    registration_cancel(registration=registration, actor=assistant)
    client.force_login(assistant)

    assert client.get(download_url(registration)).status_code == 404


def test_unknown_or_malformed_id_is_404(client, assistant):
    client.force_login(assistant)

    assert client.get(reverse("delegates:badge-download", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("delegates:badge-download", args=["not-a-uuid"])).status_code == 404


def test_download_is_get_only(client, registration, assistant):
    client.force_login(assistant)

    assert client.post(download_url(registration)).status_code == 405


# --- Staff: download and preview -----------------------------------------------------------------------


def test_staff_who_print_badges_download_the_badge(client, registration, tmp_path):
    client.force_login(staff_user("printer", "view_registration", "print_badges"))

    response = client.get(staff_download_url(registration))

    assert_badge_attachment(response, registration, tmp_path)


def test_staff_who_do_not_print_get_no_check_in_code(client, registration, tmp_path):
    """The QR code checks the delegate in at the door: staff who only view registrations may not
    download the badge, and their preview shows the badge without its code."""
    client.force_login(staff_user("registrar", "view_registration"))

    assert client.get(staff_download_url(registration)).status_code == 403
    response = client.get(preview_url(registration, BadgeLayout.A6))

    assert response.status_code == 200
    path = write_pdf(response.content, tmp_path)
    assert qr_texts(path) == []
    assert "Sok Vibol" in pdf_lines(path)
    text = re.sub(r"\s+", " ", pdf_text(path))
    assert "Preview: the check-in code is shown only to staff who print badges." in text


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_staff_preview_a_badge_in_any_layout(client, registration, tmp_path, layout):
    client.force_login(staff_user("printer", "view_registration", "print_badges"))

    response = client.get(preview_url(registration, layout))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'inline; filename="badge-{registration.reference}-{layout}.pdf"'
    )
    assert response["Cache-Control"] == PDF_CACHE_CONTROL
    path = write_pdf(response.content, tmp_path)
    expected = {"a6": (105, 148), "cr80": (85.6, 54), "a4_sheet": (210, 297)}[layout]
    assert page_size_mm(path) == [expected]
    assert qr_texts(path) == [registration.checkin_token]
    assert Registration.objects.get(pk=registration.pk).badge_file.name == ""  # a preview stores nothing


def test_staff_preview_defaults_to_the_forums_layout(client, registration, tmp_path):
    registration.forum.badge_layout = BadgeLayout.CR80
    registration.forum.save()
    client.force_login(staff_user("registrar", "view_registration"))

    for url in (preview_url(registration), preview_url(registration, "poster")):
        response = client.get(url)
        assert response.status_code == 200
        assert (
            response["Content-Disposition"] == f'inline; filename="badge-{registration.reference}-cr80.pdf"'
        )
        assert page_size_mm(write_pdf(response.content, tmp_path)) == [(85.6, 54)]


def test_staff_preview_of_a_pending_registration_shows_no_qr_code(
    client, open_forum, partners, register, tmp_path
):
    pending = register(open_forum, partners, badge_name="Somchai Jaidee")
    client.force_login(staff_user("printer", "view_registration", "print_badges"))

    response = client.get(preview_url(pending, BadgeLayout.A6))

    path = write_pdf(response.content, tmp_path)
    assert qr_texts(path) == []
    assert "No check-in code yet: the registration is not confirmed." in re.sub(r"\s+", " ", pdf_text(path))
    assert client.get(staff_download_url(pending)).status_code == 404  # and nothing to download


@pytest.mark.parametrize("url", [staff_download_url, preview_url])
def test_staff_without_the_permission_get_403(client, registration, url):  # view_registration at least
    client.force_login(staff_user("helper", "view_forum"))

    assert client.get(url(registration)).status_code == 403


@pytest.mark.parametrize("url", [staff_download_url, preview_url])
def test_signed_in_non_staff_get_404_even_with_the_permission(client, registration, assistant, url):
    assistant.user_permissions.add(
        Permission.objects.get(content_type__app_label="delegates", codename="view_registration")
    )
    client.force_login(assistant)  # who registered this very delegate: still not staff

    assert client.get(url(registration)).status_code == 404


@pytest.mark.parametrize("url", [staff_download_url, preview_url])
def test_staff_urls_send_nobody_signed_in_to_the_admin_sign_in(client, registration, url):
    target = url(registration)

    response = client.get(target)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={target}"


def test_staff_get_404_for_an_unknown_registration(client):
    client.force_login(staff_user("printer", "view_registration", "print_badges"))

    assert client.get(reverse("admin:delegates_registration_badge", args=[987654])).status_code == 404
    assert client.get(reverse("admin:delegates_registration_badge_preview", args=["abc"])).status_code == 404
