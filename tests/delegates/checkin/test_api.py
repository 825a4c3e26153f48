"""The door's JSON endpoints (``delegates/checkin/api.py``, ``/checkin/api/``): every verdict as the page
gets it, the offline data and exactly what it carries, the sync of a queue, the search, undo, bad
input, and who may use them."""

import datetime as dt
import hashlib
import json
import uuid

import pytest
from django.urls import reverse

from delegates.checkin.services import MAX_SYNC_SCANS, Scan, checkin_scan, checkin_undo
from delegates.checkin.tokens import checkin_token_reissue
from delegates.enums import RegistrationStatus
from delegates.models import CheckIn, CheckInScan, StaffForumAccess
from tests.delegates.checkin.conftest import delegate
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 6, 1, 12, tzinfo=dt.UTC)  # 08:12 in Jakarta


def url(name: str, checkin_list) -> str:
    return reverse(f"checkin:{name}", kwargs={"list_id": checkin_list.public_id})


def post(client, target: str, data) -> object:
    return client.post(target, data=json.dumps(data), content_type="application/json")


def scan_body(**extra) -> dict:
    return {"device": "dev-1", "device_label": "Door 1", "idempotency_key": str(uuid.uuid4()), **extra}


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


DISPLAY = {
    "reference",
    "honorific",
    "name",
    "native_name",
    "native_name_lang",
    "category",
    "category_colour",
    "city",
    "country",
    "country_name",
    "status",
}


# --- Scan ----------------------------------------------------------------------------------------------


def test_scan_answers_green_with_the_delegates_display(client, day1, sok, door):
    client.force_login(door)

    response = post(
        client, url("api-scan", day1), scan_body(token=sok.checkin_token, scanned_at=T0.isoformat())
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    check_in = CheckIn.objects.get()
    assert body == {
        "verdict": "checked_in",
        "reason": None,
        "message": "Checked in",
        "delegate": {
            "reference": sok.reference,
            "honorific": "H.E.",
            "name": "Sok Vibol",
            "native_name": "សុខ វិបុល",
            "native_name_lang": "km",
            "category": "Mayor / Governor",
            "category_colour": "#b91c1c",
            "city": "Siem Reap",
            "country": "KH",
            "country_name": "Cambodia",
            "status": "confirmed",
        },
        "check_in": {
            "id": str(check_in.public_id),
            "at": "2026-10-06T01:12:00+00:00",
            "by": "Siti Rahma",
            "device_label": "Door 1",
        },
        "can_print_badge": True,
    }


def test_scan_answers_amber_with_time_in_the_forums_zone_and_who(client, day1, sok, door, other_door):
    checkin_scan(
        checkin_list=day1,
        scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token, scanned_at=T0),
        staff=door,
    )
    client.force_login(other_door)

    body = post(client, url("api-scan", day1), scan_body(token=sok.checkin_token)).json()

    assert body["verdict"] == "already"
    assert body["message"] == "Already checked in on 6 October at 08:12 by Siti Rahma"
    assert body["check_in"]["by"] == "Siti Rahma"


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (RegistrationStatus.CANCELLED, "cancelled", "Cancelled registration"),
        (RegistrationStatus.REJECTED, "rejected", "Registration not accepted"),
        (RegistrationStatus.WAITLISTED, "waitlisted", "On the waitlist, not confirmed"),
        (RegistrationStatus.PENDING, "pending", "Pending approval, not confirmed"),
    ],
)
def test_scan_answers_red_with_the_reason(client, day1, mayors, door, status, reason, message):
    registration = delegate(mayors)
    registration.status = status
    registration.save()
    client.force_login(door)

    body = post(client, url("api-scan", day1), scan_body(token=registration.checkin_token)).json()

    assert (body["verdict"], body["reason"], body["message"]) == ("refused", reason, message)
    assert body["delegate"]["reference"] == registration.reference
    assert (body["check_in"], body["can_print_badge"]) == (None, False)


def test_scan_red_for_another_forum_unknown_reissued_and_not_on_list(
    client, day1, bus_list, sok, other_forum_delegate, door
):
    client.force_login(door)
    old = sok.checkin_token
    checkin_token_reissue(registration=sok, actor=door)

    answers = {
        "other": post(
            client, url("api-scan", day1), scan_body(token=other_forum_delegate.checkin_token)
        ).json(),
        "unknown": post(client, url("api-scan", day1), scan_body(token="nothing-we-issued")).json(),
        "reissued": post(client, url("api-scan", day1), scan_body(token=old)).json(),
        "not_on_list": post(client, url("api-scan", bus_list), scan_body(reference=sok.reference)).json(),
    }

    assert {k: (a["verdict"], a["reason"], a["message"]) for k, a in answers.items()} == {
        "other": ("refused", "other_forum", "Badge of another forum"),
        "unknown": ("refused", "unknown", "Unknown code"),
        "reissued": ("refused", "reissued", "Old badge: the code was reissued"),
        "not_on_list": ("refused", "not_on_list", "Not on this list"),
    }
    # Nothing of another forum's delegate is told; the old badge's owner is shown (a new badge can print).
    assert answers["other"]["delegate"] is None and answers["unknown"]["delegate"] is None
    assert answers["reissued"]["delegate"]["reference"] == sok.reference
    assert answers["reissued"]["can_print_badge"] is True
    assert CheckIn.objects.count() == 0


def test_scan_with_the_same_key_again_returns_the_first_answer(client, day1, sok, door):
    client.force_login(door)
    body = scan_body(token=sok.checkin_token)

    first = post(client, url("api-scan", day1), body).json()
    again = post(client, url("api-scan", day1), body).json()

    assert again == first
    assert (CheckIn.objects.count(), CheckInScan.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "The request could not be read (it is not JSON)."),
        ([1, 2], "The request could not be read (a JSON object was expected)."),
        ({"token": "x"}, "Each scan needs its idempotency key (a UUID)."),
        ({"token": "x", "idempotency_key": "nope"}, "Each scan needs its idempotency key (a UUID)."),
        ({"idempotency_key": str(uuid.UUID(int=1))}, "A scan needs the badge's code or a reference."),
        ({"token": 5, "idempotency_key": str(uuid.UUID(int=1))}, "The code and the reference must be text."),
        (
            {"token": "x", "idempotency_key": str(uuid.UUID(int=1)), "scanned_at": "yesterday"},
            "“scanned_at” must be a date and time (ISO 8601).",
        ),
    ],
)
def test_scan_bad_input_is_a_400_saying_why(client, day1, door, payload, message):
    client.force_login(door)
    data = payload if isinstance(payload, str) else json.dumps(payload)

    response = client.post(url("api-scan", day1), data=data, content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"error": message})
    assert CheckInScan.objects.count() == 0


# --- Offline data --------------------------------------------------------------------------------------


def test_offline_data_carries_hashes_display_and_status_only(client, day1, sok, mayors, door):
    waiting = delegate(mayors, status=RegistrationStatus.WAITLISTED)
    old = sok.checkin_token
    checkin_token_reissue(registration=sok, actor=door)
    sok.refresh_from_db()
    checkin_scan(
        checkin_list=day1,
        scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token, scanned_at=T0),
        staff=door,
    )
    client.force_login(door)

    response = client.get(url("api-list-data", day1))

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"list", "generated_at", "delegates", "messages"}
    assert body["list"] == {
        "id": str(day1.public_id),
        "name": "Entry — Sunday 6 October",
        "kind": "day",
        "forum": {"slug": day1.forum.slug, "name": day1.forum.name},
        "day": "2030-10-06",
        "session": None,
    }
    by_reference = {row["reference"]: row for row in body["delegates"]}
    assert set(by_reference) == {sok.reference, waiting.reference}
    for row in body["delegates"]:
        assert set(row) == DISPLAY | {"token_hashes", "retired_token_hashes", "on_list", "checked_in"}
    row = by_reference[sok.reference]
    assert row["token_hashes"] == [sha(sok.checkin_token)]
    assert row["retired_token_hashes"] == [sha(old)]
    assert (row["status"], row["on_list"]) == ("confirmed", True)
    assert row["checked_in"] == {
        "id": str(CheckIn.objects.get().public_id),
        "at": "2026-10-06T01:12:00+00:00",
        "by": "Siti Rahma",
        "device_label": "",
    }
    assert by_reference[waiting.reference]["token_hashes"] == []
    assert (by_reference[waiting.reference]["status"], by_reference[waiting.reference]["on_list"]) == (
        "waitlisted",
        False,
    )
    # Neither the codes themselves nor contact, dietary, travel or visa details are anywhere in it.
    text = response.content.decode()
    for secret in (sok.checkin_token, old, sok.email, "+85512345678", "halal", "Majapahit", "QZ 123"):
        assert secret not in text
    assert body["messages"]["reissued"] == "Old badge: the code was reissued"
    assert set(body["messages"]) == {
        "cancelled",
        "rejected",
        "waitlisted",
        "pending",
        "not_on_list",
        "other_forum",
        "unknown",
        "reissued",
    }


def test_offline_data_of_a_session_list_marks_who_is_on_it(client, bus_list, sok, on_the_bus, door):
    client.force_login(door)

    body = client.get(url("api-list-data", bus_list)).json()

    assert {row["reference"]: row["on_list"] for row in body["delegates"]} == {
        sok.reference: False,
        on_the_bus.reference: True,
    }
    assert body["list"]["session"]["title"] == "Site visit: river clean-up"


def test_offline_data_in_a_fixed_number_of_queries(client, day1, mayors, door, django_assert_max_num_queries):
    client.force_login(door)
    client.get(url("api-list-data", day1))
    for _ in range(50):
        delegate(mayors)

    with django_assert_max_num_queries(12):
        body = client.get(url("api-list-data", day1)).json()

    assert len(body["delegates"]) == 50


# --- Sync ----------------------------------------------------------------------------------------------


def test_sync_answers_in_order_and_reports_check_ins_made_elsewhere(client, day1, mayors, door, other_door):
    a, b = delegate(mayors), delegate(mayors)
    checkin_scan(
        checkin_list=day1,
        scan=Scan(idempotency_key=uuid.uuid4(), token=b.checkin_token, scanned_at=T0),
        staff=other_door,
        device_label="Door 2",
    )
    client.force_login(door)
    key_a, key_b, key_x = (str(uuid.uuid4()) for _ in range(3))
    since = "2026-10-06T00:00:00Z"

    response = post(
        client,
        url("api-sync", day1),
        {
            "device": "dev-1",
            "device_label": "Door 1",
            "since": since,
            "scans": [
                {"idempotency_key": key_a, "token": a.checkin_token, "scanned_at": "2026-10-06T01:30:00Z"},
                {"idempotency_key": key_b, "token": b.checkin_token, "scanned_at": "2026-10-06T01:31:00Z"},
                {"idempotency_key": key_x, "token": "unknown-code", "scanned_at": "2026-10-06T01:32:00Z"},
            ],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert [(r["idempotency_key"], r["verdict"], r["reason"]) for r in body["results"]] == [
        (key_a, "checked_in", None),
        (key_b, "already", None),
        (key_x, "refused", "unknown"),
    ]
    assert sorted((c["reference"], c["by"], c["device_label"]) for c in body["check_ins"]) == sorted(
        [(a.reference, "Siti Rahma", "Door 1"), (b.reference, "Budi Santoso", "Door 2")]
    )
    assert "server_time" in body

    # Later: b's check-in is undone elsewhere; the next sync (since its server_time) says so. What
    # changed within the overlap before that time is told again (the device merges it).
    checkin_undo(check_in=CheckIn.objects.get(registration=b), actor=other_door)
    later = post(
        client, url("api-sync", day1), {"device": "dev-1", "since": body["server_time"], "scans": []}
    )
    assert {(c["reference"], c.get("undone", False)) for c in later.json()["check_ins"]} == {
        (a.reference, False),
        (b.reference, True),
    }


def test_sync_refuses_more_than_the_limit_with_a_message(client, day1, door):
    client.force_login(door)
    scans = [{"idempotency_key": str(uuid.uuid4()), "token": "x"} for _ in range(MAX_SYNC_SCANS + 1)]

    response = post(client, url("api-sync", day1), {"device": "d", "scans": scans})

    assert response.status_code == 400
    assert response.json() == {
        "error": "At most 1000 scans can be sent at a time; please send the rest next."
    }
    assert CheckInScan.objects.count() == 0


def test_sync_bad_scan_names_its_position(client, day1, door):
    client.force_login(door)

    response = post(
        client,
        url("api-sync", day1),
        {"scans": [{"idempotency_key": str(uuid.uuid4()), "token": "x"}, {"token": "y"}]},
    )

    assert (response.status_code, response.json()) == (
        400,
        {"error": "Each scan needs its idempotency key (a UUID). (scan 2)"},
    )


# --- Search --------------------------------------------------------------------------------------------


def test_search_by_name_accents_ignored_native_script_reference_and_exact_email(
    client, day1, sok, mayors, door
):
    nguyen = delegate(
        mayors,
        given_name="Văn An",
        family_name="Nguyễn",
        name_order="family_first",
        native_name="",
        country="VN",
    )
    client.force_login(door)

    def found(q: str) -> list[str]:
        response = client.get(url("api-search", day1), {"q": q})
        assert response.status_code == 200
        return [row["reference"] for row in response.json()["results"]]

    assert found("nguyen van") == [nguyen.reference]
    assert found("សុខ") == [sok.reference]
    assert found(sok.reference.lower()) == [sok.reference]
    assert found("SOK.VIBOL@siemreap.example.org") == [sok.reference]
    assert found("sok.vibol@siemreap") == []  # an email matches exactly only
    assert found("x") == []
    result = client.get(url("api-search", day1), {"q": "sok"}).json()["results"][0]
    assert set(result) == DISPLAY | {"on_list", "checked_in"}
    assert "siemreap.example.org" not in json.dumps(result)


def test_search_in_a_fixed_number_of_queries(client, day1, mayors, door, django_assert_max_num_queries):
    for _ in range(30):
        delegate(mayors, family_name="Santos")
    client.force_login(door)
    client.get(url("api-search", day1), {"q": "santos"})

    # The session and the user, their permissions (2) and forums, the list, the exact and the name
    # search, the check-ins: nine, for 30 matches as for one.
    with django_assert_max_num_queries(9):
        results = client.get(url("api-search", day1), {"q": "santos"}).json()["results"]

    assert len(results) == 20


# --- Undo ----------------------------------------------------------------------------------------------


def test_undo_endpoint_undoes_and_a_new_scan_checks_in(client, day1, sok, door):
    check_in = checkin_scan(
        checkin_list=day1, scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token), staff=door
    ).check_in
    client.force_login(door)

    response = client.post(reverse("checkin:api-undo", kwargs={"check_in_id": check_in.public_id}))
    again = post(client, url("api-scan", day1), scan_body(token=sok.checkin_token)).json()

    assert (response.status_code, response.json()) == (200, {"undone": True})
    assert again["verdict"] == "checked_in"
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == 1


# --- Who may --------------------------------------------------------------------------------------------


def test_door_team_and_forum_administrators_may_others_may_not(
    client, day1, sok, door, forum_admin, registrar, read_only
):
    check_in = checkin_scan(
        checkin_list=day1, scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token), staff=door
    ).check_in
    delegate_account = UserFactory(username="delegate-dee")
    inactive = UserFactory(username="gone", is_staff=True, is_active=False)

    def statuses(user) -> list[int]:
        client.logout()
        if user is not None:
            client.force_login(user)
        return [
            client.get(url("api-list-data", day1)).status_code,
            client.get(url("api-search", day1), {"q": "sok"}).status_code,
            post(client, url("api-scan", day1), scan_body(token="nothing")).status_code,
            post(client, url("api-sync", day1), {"scans": []}).status_code,
        ]

    assert statuses(door) == [200, 200, 200, 200]
    assert statuses(forum_admin) == [200, 200, 200, 200]
    for refused in (registrar, read_only, delegate_account):
        assert statuses(refused) == [403, 403, 403, 403], refused.username
    assert statuses(None) == [401, 401, 401, 401]
    client.logout()
    anonymous = client.get(url("api-list-data", day1)).json()
    assert anonymous["login_url"].startswith("/accounts/login/?next=")
    assert client.get(url("api-list-data", day1)).status_code == 401
    client.force_login(registrar)
    assert (
        client.post(reverse("checkin:api-undo", kwargs={"check_in_id": check_in.public_id})).status_code
        == 403
    )
    assert CheckIn.objects.get().undone_at is None
    assert inactive.is_active is False


def test_staff_of_another_forum_are_refused(client, day1, sok, door):
    StaffForumAccess.objects.create(user=door).forums.set([ForumFactory(slug="elsewhere")])
    check_in = checkin_scan(
        checkin_list=day1, scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token), staff=None
    ).check_in
    client.force_login(door)

    assert client.get(url("api-list-data", day1)).status_code == 403
    assert post(client, url("api-scan", day1), scan_body(token=sok.checkin_token)).status_code == 403
    assert (
        client.post(reverse("checkin:api-undo", kwargs={"check_in_id": check_in.public_id})).status_code
        == 403
    )
    assert client.get(reverse("checkin:api-list-data", kwargs={"list_id": uuid.uuid4()})).status_code == 404


def test_undo_needs_its_own_permission(client, day1, sok, door):
    from django.contrib.auth.models import Permission

    check_in = checkin_scan(
        checkin_list=day1, scan=Scan(idempotency_key=uuid.uuid4(), token=sok.checkin_token), staff=door
    ).check_in
    checker = UserFactory(username="checker", is_staff=True)
    checker.user_permissions.add(Permission.objects.get(codename="check_in"))
    client.force_login(checker)

    response = client.post(reverse("checkin:api-undo", kwargs={"check_in_id": check_in.public_id}))

    assert response.status_code == 403
    assert response.json() == {"error": "Your account may not do this at the door."}
    assert post(client, url("api-scan", day1), scan_body(token=sok.checkin_token)).status_code == 200


def test_posts_need_the_csrf_token(day1, door):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(door)

    assert post(client, url("api-scan", day1), scan_body(token="x")).status_code == 403
    assert CheckInScan.objects.count() == 0
