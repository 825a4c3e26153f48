"""A registrar registers a walk-in from the registrations list in a real chromium, at phone and
desktop sizes: "Register a delegate", the public form with every category of the forum, and back to
the registration's page in the admin. No console or CSP error, no serious or critical axe violation
on the form."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.enums import RegistrationStatus
from delegates.models import Registration
from delegates.permissions import REGISTRARS
from tests.browser.test_print_job_progress import problems, signed_in
from tests.delegates.invitations.conftest import in_group
from tests.factories import DelegateCategoryFactory, ForumFactory

from .conftest import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_registrar_registers_a_walk_in(any_page, live_server, axe_check, eager_celery):
    now = timezone.now()
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=30),
    )
    DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    DelegateCategoryFactory(
        forum=forum, name="Secretariat", slug="secretariat", is_public=False, protocol_rank=90
    )
    page = any_page
    signed_in(page, live_server, in_group(REGISTRARS, "registrar"))

    page.goto(
        live_server.url + reverse("admin:delegates_registration_changelist") + f"?forum__id__exact={forum.pk}"
    )
    page.get_by_role("link", name="Register a delegate").click()
    page.wait_for_url(f"**/admin/delegates/registration/register/?forum={forum.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == "Register a delegate"
    assert page.get_by_label("Secretariat").is_visible()  # staff-only: offered to staff
    assert problems(page) == []
    if os.environ.get("AMF_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["AMF_SCREENSHOTS"], f"staff-register-{page.viewport_name}.png"),
            full_page=True,
        )
    axe_check(page)
    assert_no_horizontal_scroll(page)
    page.problems.messages.clear()  # axe's own probes trip the CSP

    page.get_by_label("Secretariat").check()
    page.locator("#id_given_name").fill("Dara")
    page.locator("#id_family_name").fill("Chan")
    if page.viewport_name == "phone":
        page.locator(".steps a[data-step-link='position']").click()
    page.get_by_label("Position").fill("Protocol officer")
    page.get_by_label("Local government or organisation").fill("UCLG ASPAC")
    page.get_by_label("City").fill("Jakarta")
    page.get_by_label("Country").select_option("ID")
    if page.viewport_name == "phone":
        page.locator(".steps a[data-step-link='contact']").click()
    page.get_by_label("Delegate's email").fill("dara.chan@uclg-aspac.example.org")
    page.get_by_label("Mobile phone").fill("+62 812 3456 7890")
    if page.viewport_name == "phone":
        page.locator(".steps a[data-step-link='consent']").click()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit the registration").click()
    page.wait_for_url("**/admin/delegates/registration/*/change/")

    registration = Registration.objects.get()
    assert (registration.category.slug, registration.status) == ("secretariat", RegistrationStatus.CONFIRMED)
    assert "Dara Chan is registered and confirmed" in page.locator(".messagelist").inner_text()
    assert problems(page) == []
