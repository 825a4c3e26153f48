"""Check-in in the admin, in a real browser: the door team's list of check-ins, "Undo check-in" asking
first on its confirmation page (the check-ins named, in the forum's time), then undoing — at desktop
and phone sizes. No console error or CSP violation, and axe finds no serious problem."""

import datetime as dt
import os
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan
from delegates.checkin.tokens import new_checkin_token
from delegates.models import CheckIn, CheckInList
from delegates.permissions import BADGE_AND_DOOR_TEAM
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.test_print_job_progress import problems, signed_in
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT = dt.datetime(2026, 10, 6, 1, 12, tzinfo=dt.UTC)  # 08:12 in Jakarta


@pytest.fixture
def door():
    user = UserFactory(username="siti", first_name="Siti", last_name="Rahma", is_staff=True)
    user.groups.add(Group.objects.get(name=BADGE_AND_DOOR_TEAM))
    return user


@pytest.fixture
def checked_in(door):
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-door")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    checkin_lists_sync(forum=forum)
    day = CheckInList.objects.filter(forum=forum).order_by("day").first()
    people = [
        RegistrationFactory(
            category=category,
            honorific="H.E.",
            given_name=given,
            family_name=family,
            checkin_token=new_checkin_token(),
        )
        for given, family in (("Vibol", "Sok"), ("Maria", "Santos"))
    ]
    for person in people:
        checkin_scan(
            checkin_list=day,
            scan=Scan(idempotency_key=uuid.uuid4(), token=person.checkin_token, scanned_at=AT),
            staff=door,
            device_label="Door 1",
        )
    return people


@pytest.mark.parametrize("page_fixture", ["desktop_page", "phone_page"])
def test_door_team_undoes_a_check_in_after_confirming(
    request, page_fixture, live_server, door, checked_in, axe_check
):
    page = request.getfixturevalue(page_fixture)
    sok = checked_in[0]
    signed_in(page, live_server, door)

    page.goto(live_server.url + reverse("admin:delegates_checkin_changelist"))
    row = page.locator("#result_list tbody tr", has_text=sok.reference)
    assert "Tue 6 Oct 2026, 08:12 WIB" in row.inner_text()
    assert "Siti Rahma" in row.inner_text()
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("undo_selected")
    page.get_by_role("button", name="Go").click()

    assert page.get_by_role("heading", name="Undo check-in").is_visible()
    table = page.locator("#selected-check-ins")
    assert table.locator("caption").inner_text() == "Selected check-ins"
    assert sok.reference in table.inner_text() and "Entry — Sunday 6 October" in table.inner_text()
    assert "Tue 6 Oct 2026, 08:12 WIB by Siti Rahma" in table.inner_text()
    assert_no_horizontal_scroll(page)
    assert CheckIn.objects.filter(undone_at__isnull=False).count() == 0
    if os.environ.get("AMF_SCREENSHOTS"):
        name = f"checkin-undo-{page_fixture}.png"
        page.screenshot(path=os.path.join(os.environ["AMF_SCREENSHOTS"], name), full_page=True)
    assert problems(page) == []
    axe_check(page)

    page.get_by_role("button", name="Undo check-in").click()
    page.wait_for_load_state()

    assert page.get_by_text(f"1 check-in undone ({sok.reference}).").is_visible()
    assert list(
        CheckIn.objects.filter(undone_at__isnull=False).values_list("registration_id", flat=True)
    ) == [sok.pk]
    assert CheckIn.objects.get(registration=sok).undone_by == door
