"""The check-in pages: who reaches them, what they carry (no delegate's contact, dietary, travel or
visa data: the pages hold no delegate data at all), and the service worker and manifest that make
them an installable offline app. The sign-out that wipes the device: tests/test_middleware.py."""

import json

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from django.urls import reverse

from delegates.checkin.services import checkin_lists_sync
from delegates.models import CheckInList, StaffForumAccess
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS, roles_sync
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

# What the door team never sees of Sok Vibol: email, phone, dietary, travel; and the pages hold no
# delegate data at all (the scanner fetches it), so not even the names.
PRIVATE = ("sok.vibol@phnompenh.example.org", "85512345678", "No peanuts", "PG 931", "Sok Vibol", "សុខ")


@pytest.fixture
def door_forum():
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor")
    RegistrationFactory(
        category=category,
        badge_name="Sok Vibol",
        native_name="សុខ វិបុល",
        native_name_lang="km",
        email="sok.vibol@phnompenh.example.org",
        phone="+85512345678",
        dietary="other",
        dietary_other="No peanuts at all",
        arrival_flight="PG 931",
        needs_visa_letter=True,
    )
    checkin_lists_sync(forum=forum)
    return forum


def staff(group: str | None, username: str, *forums, is_staff: bool = True):
    roles_sync(apps=global_apps)
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=is_staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if forums:
        StaffForumAccess.objects.create(user=user).forums.set(forums)
    return user


def scanner_url(forum) -> str:
    checkin_list = CheckInList.objects.filter(forum=forum).order_by("day").first()
    return reverse("checkin:scanner", args=[checkin_list.public_id])


def test_signed_out_people_are_sent_to_sign_in(client, door_forum):
    for url in (reverse("checkin:home"), scanner_url(door_forum)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("group", [REGISTRARS, READ_ONLY, None])
def test_staff_outside_the_door_team_get_403(client, door_forum, group):
    client.force_login(staff(group, "other"))
    assert client.get(reverse("checkin:home")).status_code == 403
    assert client.get(scanner_url(door_forum)).status_code == 403


def test_a_delegate_with_the_permission_but_not_staff_gets_403(client, door_forum):
    user = staff(None, "delegate", is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="check_in"))
    client.force_login(user)
    assert client.get(reverse("checkin:home")).status_code == 403


@pytest.mark.parametrize("group", [BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS])
def test_door_team_and_forum_administrators_reach_the_pages(client, door_forum, group):
    client.force_login(staff(group, "door"))

    home = client.get(reverse("checkin:home"))
    scanner = client.get(scanner_url(door_forum))

    assert home.status_code == 200
    assert scanner.status_code == 200
    assert "no-store" in home["Cache-Control"]
    assert "no-store" in scanner["Cache-Control"]
    lists = CheckInList.objects.filter(forum=door_forum).order_by("day")
    assert [item.name for item in home.context["forums"][0]["lists"]] == [item.name for item in lists]
    assert scanner.context["config"]["list"] == {
        "id": str(lists[0].public_id),
        "name": lists[0].name,
        "forum": "ASEAN Mayors Forum 2031",
    }


def test_the_pages_carry_no_delegate_data(client, door_forum):
    client.force_login(staff(BADGE_AND_DOOR_TEAM, "door"))
    for url in (reverse("checkin:home"), scanner_url(door_forum)):
        page = client.get(url).content.decode()
        for private in (
            "sok.vibol@phnompenh.example.org",
            "85512345678",
            "No peanuts",
            "PG 931",
            "Sok Vibol",
            "សុខ",
        ):
            assert private not in page, (url, private)


def test_door_team_of_another_forum_sees_neither_its_lists_nor_its_scanner(client, door_forum):
    elsewhere = ForumFactory(name="Another forum", slug="another")
    checkin_lists_sync(forum=elsewhere)
    client.force_login(staff(BADGE_AND_DOOR_TEAM, "door", elsewhere))

    home = client.get(reverse("checkin:home"))

    assert [entry["forum"].name for entry in home.context["forums"]] == ["Another forum"]
    assert client.get(scanner_url(door_forum)).status_code == 404


def test_home_lists_forums_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = staff(BADGE_AND_DOOR_TEAM, "door")
    client.force_login(user)
    forum = ForumFactory(slug="one")
    checkin_lists_sync(forum=forum)
    client.get(reverse("checkin:home"))  # warm the session and permission caches' first reads
    with django_assert_num_queries(6) as one:
        client.get(reverse("checkin:home"))
    for n in range(5):
        checkin_lists_sync(forum=ForumFactory(slug=f"many-{n}"))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("checkin:home"))
    assert len(response.context["forums"]) == 6


def test_service_worker_is_served_from_the_checkin_scope(client):
    response = client.get(reverse("checkin:service-worker"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert reverse("checkin:service-worker") == "/checkin/sw.js"
    body = response.content.decode()
    assert 'var HOME = "/checkin/";' in body
    assert "/static/js/checkin/scanner.js" in body
    assert "/static/vendor/jsqr/jsQR.js" in body


def test_manifest_makes_an_installable_app(client):
    response = client.get(reverse("checkin:manifest"))

    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/checkin/",
        "/checkin/",
        "standalone",
    )
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512", "any"]
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_the_site_header_leads_the_door_team_to_check_in(client, door_forum):
    link = f'<a href="{reverse("checkin:home")}">Check-in</a>'
    client.force_login(staff(None, "delegate", is_staff=False))
    assert link not in client.get(reverse("events:home")).content.decode()
    client.force_login(staff(BADGE_AND_DOOR_TEAM, "door"))
    assert link in client.get(reverse("events:home")).content.decode()
