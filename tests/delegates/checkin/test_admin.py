"""Check-in in the admin (``delegates/checkin/admin.py``): staff add a list of their own, the door team
sees the lists and check-ins, "Undo check-in" asks first and then undoes, writing the history, and a
session saved in the admin gets its list."""

import uuid

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from delegates.checkin.services import Scan, checkin_scan
from delegates.enums import CheckInListKind
from delegates.models import CheckIn, CheckInList, StaffForumAccess
from events.models import Session
from tests.factories import ForumFactory, SessionFactory

pytestmark = pytest.mark.django_db


def checked_in(checkin_list, registration, staff):
    scan = Scan(idempotency_key=uuid.uuid4(), token=registration.checkin_token)
    return checkin_scan(checkin_list=checkin_list, scan=scan, staff=staff).check_in


def test_forum_administrator_adds_a_list_of_their_own(client, forum, lists, forum_admin):
    client.force_login(forum_admin)

    response = client.post(
        reverse("admin:delegates_checkinlist_add"),
        {"forum": forum.pk, "name": "Side event: mayors' breakfast", "day": "2030-10-07"},
    )

    assert response.status_code == 302
    added = CheckInList.objects.get(name="Side event: mayors' breakfast")
    assert (added.kind, added.created_by, added.day.isoformat()) == (
        CheckInListKind.CUSTOM,
        forum_admin,
        "2030-10-07",
    )
    wrong_day = client.post(
        reverse("admin:delegates_checkinlist_add"), {"forum": forum.pk, "name": "Later", "day": "2030-12-01"}
    )
    assert "Please choose a day of the forum (or none)." in wrong_day.content.decode()


def test_door_team_sees_lists_and_check_ins_but_adds_no_list(client, lists, sok, door, registrar):
    checked_in(lists["day1"], sok, door)
    client.force_login(door)

    page = client.get(reverse("admin:delegates_checkinlist_changelist"))
    check_ins = client.get(reverse("admin:delegates_checkin_changelist"))

    assert page.status_code == 200
    assert "Entry — Sunday 6 October" in page.content.decode()
    assert check_ins.status_code == 200
    assert sok.reference in check_ins.content.decode()
    assert client.get(reverse("admin:delegates_checkinlist_add")).status_code == 403
    client.force_login(registrar)
    assert client.get(reverse("admin:delegates_checkin_changelist")).status_code == 403


def test_staff_limited_to_another_forum_see_none_of_its_lists(client, lists, sok, door):
    checked_in(lists["day1"], sok, door)
    StaffForumAccess.objects.create(user=door).forums.set([ForumFactory(slug="elsewhere")])
    client.force_login(door)

    body = client.get(reverse("admin:delegates_checkinlist_changelist")).content.decode()

    assert "Entry — Sunday 6 October" not in body
    assert sok.reference not in client.get(reverse("admin:delegates_checkin_changelist")).content.decode()
    check_in = CheckIn.objects.get()
    assert client.get(reverse("admin:delegates_checkin_change", args=[check_in.pk])).status_code == 404


def test_undo_check_in_asks_first_then_undoes_and_writes_the_history(client, lists, sok, door, other_door):
    check_in = checked_in(lists["day1"], sok, door)
    client.force_login(other_door)
    url = reverse("admin:delegates_checkin_changelist")
    selection = {"action": "undo_selected", ACTION_CHECKBOX_NAME: [check_in.pk]}

    confirm = client.post(url, selection)

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Undo check-in" in page and sok.reference in page and "Siti Rahma" in page
    assert CheckIn.objects.get().undone_at is None

    done = client.post(url, {**selection, "confirm_action": "Undo check-in"}, follow=True)

    assert f"1 check-in undone ({sok.reference})." in done.content.decode()
    check_in.refresh_from_db()
    assert (check_in.undone_by, check_in.undone_at is not None) == (other_door, True)
    entry = LogEntry.objects.get(object_id=str(sok.pk))
    assert entry.user == other_door and entry.change_message.startswith(
        "Check-in undone: Entry — Sunday 6 October"
    )
    change = client.get(reverse("admin:delegates_checkin_change", args=[check_in.pk])).content.decode()
    assert reverse("admin:delegates_registration_history", args=[sok.pk]) in change
    history = client.get(reverse("admin:delegates_registration_history", args=[sok.pk])).content.decode()
    assert "Check-in undone: Entry — Sunday 6 October" in history


def test_session_saved_in_the_admin_gets_its_list(forum, forum_admin):
    session = SessionFactory(forum=forum, title="Gala dinner")
    assert not CheckInList.objects.filter(session=session).exists()
    request = RequestFactory().post("/")
    request.user = forum_admin
    session.capacity = 300

    admin.site.get_model_admin(Session).save_model(request, session, form=None, change=True)

    assert CheckInList.objects.get(session=session).name == "Gala dinner"
