"""The registrations list as a registrar sees it at 1280 px: every column that matters without
scrolling sideways, and a bulk promotion from the waitlist confirmed on its own page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.enums import RegistrationStatus
from delegates.models import Registration
from delegates.permissions import REGISTRARS
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import signed_in
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGELIST = reverse("admin:delegates_registration_changelist")


def assert_table_fits(page) -> None:
    """The admin scrolls a too-wide results table inside its own box: that box must not scroll."""
    assert_no_horizontal_scroll(page)
    overflow = page.evaluate(
        "() => { const box = document.querySelector('#changelist .results');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert overflow <= 0, f"the registrations table scrolls sideways by {overflow}px"


@pytest.fixture
def registrar():
    user = UserFactory(
        username="registrar@uclg-aspac.example.org", email="registrar@uclg-aspac.example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=REGISTRARS))
    return user


def test_list_fits_1280px_and_promotes_from_the_waitlist_after_confirmation(
    desktop_page, live_server, registrar, axe_check
):
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", capacity=2)
    RegistrationFactory(
        category=mayors,
        given_name="Sopheaktra",
        family_name="Chanthavongsa-Phommachanh",
        native_name="ចាន់ សុភ័ក្ត្រា",
        native_name_lang="km",
        organisation="Municipal Administration of the Capital City of Phnom Penh",
        country="KH",
    )
    waiting = [
        RegistrationFactory(
            category=mayors, status=RegistrationStatus.WAITLISTED, given_name=given, family_name="Jaidee"
        )
        for given in ("Somchai", "Malee")
    ]
    page = desktop_page
    signed_in(page, live_server, registrar)

    page.goto(live_server.url + CHANGELIST + "?status__exact=waitlisted")
    assert_table_fits(page)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("promote_selected")
    page.get_by_role("button", name="Go").click()
    assert page.get_by_role("heading", name="Promote from the waitlist").is_visible()
    page.get_by_role("button", name="Promote").click()
    page.wait_for_load_state()

    first, second = waiting
    assert page.locator(".messagelist").inner_text() == (
        f"1 promoted from the waitlist ({first.reference}); "
        f"1 still waitlisted because the category is full ({second.reference})."
    )
    assert list(
        Registration.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("created_at")
        .values_list("status", flat=True)
    ) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    page.goto(live_server.url + CHANGELIST)
    assert_table_fits(page)
    assert page.problems.messages == []

    # The confirmation page, as staff reach it again: no serious accessibility problem (axe last: its
    # probes trip the page's CSP).
    page.goto(live_server.url + CHANGELIST + "?status__exact=waitlisted")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("promote_selected")
    page.get_by_role("button", name="Go").click()
    assert page.get_by_role("heading", name="Promote from the waitlist").is_visible()
    axe_check(page)
