"""Who may open which URL, generated from the URL configuration: every pattern of the project is
walked, and a pattern this matrix does not classify fails the test — a new URL is covered by default.

Each URL serving personal data or files is tried anonymously, as another delegate and as staff without
the permission (each must answer 404, 403 or a redirect to sign in), and as the people allowed (200).
The admin's own pages are covered by a loop over every registered ModelAdmin (list, add, change, delete,
history), each asked by staff without any permission (403 or a redirect) and anonymously (sign-in).

To classify a new URL, add its name (``namespace:name``; the route for an unnamed pattern) to one of
the tables below:

- ``PUBLIC``: no personal data; anyone gets the status given (200 for a page).
- ``ACCOUNT_FLOWS``: allauth's forms before signing in (sign in, sign up, password reset, codes and
  links by email); answered without anyone's data, with the status given.
- ``SIGNED_IN``: the signed-in user's own pages without an id in the URL: sign-in first, and another
  delegate sees only their own.
- ``OWN_REGISTRATION``: a registration's pages by its public id: its delegate and whoever registered
  them (200), nobody else (404).
- ``STAFF_VIEWS``: staff pages of ours under the admin, with the permissions they need.
- ``ADMIN_SITE``: the admin site's own pages (sign in and out, index, app index, catch-all).
- ``DOOR_API``: the door's JSON endpoints under ``/checkin/api/``, with the permissions they need:
  anonymous → 401, delegates and staff without a permission → 403, always JSON.
- ``DOOR_PAGES``: the door's check-in pages, with the permissions they need: anonymous → sign in,
  delegates and staff without a permission → 403. (Their service worker and manifest hold no data:
  ``PUBLIC``.)
- ModelAdmin URLs (``admin:<app>_<model>_<view>``) are classified by the loop over ``admin.site``.
"""

import re
import uuid

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.checkin.services import Scan, checkin_lists_sync, checkin_scan
from delegates.enums import RegistrationStatus
from delegates.models import CheckInList, Registration, StaffEmail
from delegates.printing.services import print_job_start
from delegates.registration.services import registration_submit
from events.enums import BadgeLayout
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import delegate_data
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/login/"

# name -> (method, status for anyone). No personal data in any of them.
PUBLIC = {
    "healthz": ("get", 200),
    "robots-txt": ("get", 200),
    "favicon-ico": ("get", 200),
    "events:home": ("get", 200),
    "events:forum": ("get", 200),
    "events:programme": ("get", 200),
    "events:programme-ics": ("get", 200),
    "events:programme-json": ("get", 200),
    "events:session": ("get", 200),
    "events:session-ics": ("get", 200),
    "events:speakers": ("get", 200),
    "events:speaker": ("get", 200),
    "delegates:privacy": ("get", 200),
    # An invitation's personal link, tried with a token no invitation has: the "link does not work"
    # page, before any sign-in (a real link asks to sign in: tests/delegates/invitations).
    "delegates:invitation": ("get", 404),
    "checkin:service-worker": ("get", 200),
    "checkin:manifest": ("get", 200),
}

# allauth's pages before signing in: (method, status anonymously). A link or code by email is tried
# with a wrong key: it must tell nothing (200, the "bad link" page) and show nobody's address.
ACCOUNT_FLOWS = {
    "account_login": ("get", 200),
    "account_signup": ("get", 200),
    "account_logout": ("get", 302),
    "account_inactive": ("get", 200),
    "account_reset_password": ("get", 200),
    "account_reset_password_done": ("get", 200),
    "account_reset_password_from_key": ("get", 200),
    "account_reset_password_from_key_done": ("get", 200),
    "account_email_verification_sent": ("get", 200),
    "account_confirm_email": ("get", 200),
    "account_confirm_login_code": ("get", 302),
    "mfa_authenticate": ("get", 302),
}

# The signed-in user's own pages: anonymous → sign in; another delegate sees only their own.
SIGNED_IN = {
    "delegates:my-registrations": "get",
    "delegates:register": "get",
    "account_email": "get",
    "account_change_password": "get",
    "account_set_password": "get",
    "account_reauthenticate": "get",
    "mfa_index": "get",
    "mfa_reauthenticate": "get",
    "mfa_activate_totp": "get",
    "mfa_deactivate_totp": "get",
    "mfa_view_recovery_codes": "get",
    "mfa_generate_recovery_codes": "get",
    "mfa_download_recovery_codes": "get",
}

# A registration's own pages (by public id): name -> method.
OWN_REGISTRATION = {
    "delegates:registration": "get",
    "delegates:registration-edit": "get",
    "delegates:registration-cancel": "get",
    "delegates:registration-ics": "get",
    "delegates:badge-download": "get",
}

# Our staff pages under the admin: name -> (object, method, permissions needed, status when allowed).
EMAIL_DELEGATES = ("delegates.email_delegates", "delegates.view_contact_details")

STAFF_VIEWS = {
    "admin:delegates_printjob_progress": ("job", "get", ("delegates.view_printjob",), 200),
    "admin:delegates_printjob_download": ("job", "get", ("delegates.view_printjob",), 200),
    "admin:delegates_printjob_restart": (
        "job",
        "post",
        ("delegates.view_printjob", "delegates.print_badges"),
        302,
    ),
    "admin:delegates_registration_badge": (
        "registration",
        "get",
        ("delegates.view_registration", "delegates.print_badges"),
        200,
    ),
    "admin:delegates_registration_badge_preview": (
        "registration",
        "get",
        ("delegates.view_registration",),
        200,
    ),
    "admin:events_forum_copy": ("forum", "get", ("events.add_forum", "events.view_forum"), 200),
    "admin:events_forum_dashboard": ("forum", "get", ("delegates.view_dashboard",), 200),
    # Exports of a forum's registrations (no object in the URL: the forum is chosen on the page).
    "admin:delegates_registration_export": (None, "get", ("delegates.export_registrations",), 200),
    # Staff register a delegate (the forum is chosen on the page).
    "admin:delegates_registration_register": (None, "get", ("delegates.add_registration",), 200),
    # Invitations: the import page and its templates (the forum is chosen on the page).
    "admin:delegates_invitation_import": (None, "get", ("delegates.add_invitation",), 200),
    "admin:delegates_invitation_template_csv": (None, "get", ("delegates.add_invitation",), 200),
    "admin:delegates_invitation_template_xlsx": (None, "get", ("delegates.add_invitation",), 200),
    # Django's own: set another account's password.
    "admin:auth_user_password_change": ("owner", "get", ("auth.change_user",), 200),
    # Emails to delegates: their pages list recipients, so contact details are needed too. Sending last.
    "admin:delegates_staffemail_preview": ("staff_email", "get", EMAIL_DELEGATES, 200),
    "admin:delegates_staffemail_preview_message": (("staff_email", "mine"), "get", EMAIL_DELEGATES, 200),
    "admin:delegates_staffemail_send": ("staff_email", "post", EMAIL_DELEGATES, 302),
}

# The door's JSON endpoints: name -> (object, method, permissions needed, body, status when allowed).
DOOR_API = {
    "checkin:api-list-data": ("checkin_list", "get", ("delegates.check_in",), None, 200),
    "checkin:api-search": ("checkin_list", "get", ("delegates.check_in",), None, 200),
    "checkin:api-scan": (
        "checkin_list",
        "post",
        ("delegates.check_in",),
        {"token": "not-a-code", "idempotency_key": "generated"},
        200,
    ),
    "checkin:api-sync": ("checkin_list", "post", ("delegates.check_in",), {"scans": []}, 200),
    "checkin:api-undo": ("check_in", "post", ("delegates.check_in", "delegates.undo_checkin"), None, 200),
    # A form (the desk printer's PDF), the others JSON.
    "checkin:badge-print": (
        "checkin_list",
        "post",
        ("delegates.check_in", "delegates.print_badges"),
        {"form": True, "reference": "mine"},
        200,
    ),
}

# The door's pages: name -> (object, permissions needed). Answered 200 to those allowed.
DOOR_PAGES = {
    "checkin:home": (None, ("delegates.check_in",)),
    "checkin:scanner": ("checkin_list", ("delegates.check_in",)),
}

# The admin site's own pages: anonymous → the admin's sign-in (its login page itself answers).
ADMIN_SITE = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:app_list",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:<catch-all>",
}

MODEL_ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")
MODEL_ADMIN_NAME = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>[a-z]+)$")


# --- Walking the URL configuration ---------------------------------------------------------------------


def url_patterns() -> list[tuple[str, str, URLPattern]]:
    """(key, route, pattern) of every pattern: key is ``namespace:name``, or for an unnamed one the
    namespace and its route."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            elif getattr(pattern.callback, "__name__", "") == "catch_all_view":
                key = f"{namespace}:<catch-all>"
            else:
                key = f"{namespace}:<{route}>" if namespace else f"<{route}>"
            found.append((key, route, pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


def model_admin_names() -> dict[str, tuple[type, str]]:
    """Every URL name of every registered ModelAdmin (its own get_urls included) → (model, view)."""
    names = {}
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        for view in (*MODEL_ADMIN_VIEWS, "autocomplete"):
            names["admin:{}_{}_{}".format(*info, view)] = (model, view)
        # The unnamed pattern "<object_id>/" redirects old change URLs to ".../change/".
        names[f"admin:<{settings.ADMIN_URL}{info[0]}/{info[1]}/<path:object_id>/>"] = (model, "redirect")
    return names


def classification(key: str) -> str | None:
    for table_name, table in (
        ("PUBLIC", PUBLIC),
        ("ACCOUNT_FLOWS", ACCOUNT_FLOWS),
        ("SIGNED_IN", SIGNED_IN),
        ("OWN_REGISTRATION", OWN_REGISTRATION),
        ("STAFF_VIEWS", STAFF_VIEWS),
        ("ADMIN_SITE", ADMIN_SITE),
        ("DOOR_API", DOOR_API),
        ("DOOR_PAGES", DOOR_PAGES),
    ):
        if key in table:
            return table_name
    if key in model_admin_names():
        return "MODEL_ADMIN"
    return None


def test_every_url_pattern_is_classified():
    unclassified = [
        f"{key} (route {route!r}, view {pattern.lookup_str})"
        for key, route, pattern in url_patterns()
        if classification(key) is None
    ]

    assert unclassified == [], (
        "These URL patterns are not in the access matrix. Add each to one of the tables of "
        "tests/test_access_matrix.py (PUBLIC, ACCOUNT_FLOWS, SIGNED_IN, OWN_REGISTRATION, STAFF_VIEWS, "
        "ADMIN_SITE, DOOR_API, DOOR_PAGES), saying who may open it, so that it is tried anonymously, "
        "as another delegate and as staff without the permission:\n  " + "\n  ".join(unclassified)
    )


def test_every_entry_of_the_matrix_is_a_url_pattern():
    """A table entry whose URL is gone would test nothing."""
    keys = {key for key, _route, _pattern in url_patterns()}
    tables = [
        *PUBLIC,
        *ACCOUNT_FLOWS,
        *SIGNED_IN,
        *OWN_REGISTRATION,
        *STAFF_VIEWS,
        *ADMIN_SITE,
        *DOOR_API,
        *DOOR_PAGES,
    ]

    assert [key for key in tables if key not in keys] == []


# --- The people and the data ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _celery_eager():
    """The print job runs when it is started (what a worker would do), so that its PDF exists."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A forum with its programme; the owner's registration (made by the owner), one made by an
    assistant for a mayor, another delegate with a registration of their own, staff without any
    permission, and a done print job."""
    now = timezone.now()
    forum = ForumFactory(
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=30),
    )
    category = DelegateCategoryFactory(forum=forum)
    session = SessionFactory(forum=forum)
    speaker = SpeakerFactory()
    SessionSpeakerFactory(session=session, speaker=speaker)
    owner = verified_user("owner@city-one.example.org")
    other = verified_user("other@city-two.example.org")
    assistant = verified_user("assistant@city-three.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        mine = registration_submit(
            forum=forum,
            category=category,
            data=delegate_data(1, email=owner.email),
            registered_by=owner,
            delegate_user=owner,
        )
        made_for = registration_submit(
            forum=forum, category=category, data=delegate_data(2), registered_by=assistant
        )
        registration_submit(
            forum=forum,
            category=category,
            data=delegate_data(3, email=other.email),
            registered_by=other,
            delegate_user=other,
        )
        job = print_job_start(
            forum=forum,
            registrations=Registration.objects.filter(pk=mine.pk),
            order="category_name",
            layout=BadgeLayout.A6,
            actor=None,
        )
    checkin_lists_sync(forum=forum)
    checkin_list = CheckInList.objects.filter(forum=forum).first()
    check_in = checkin_scan(
        checkin_list=checkin_list,
        scan=Scan(idempotency_key=uuid.uuid4(), token=Registration.objects.get(pk=mine.pk).checkin_token),
        staff=None,
    ).check_in
    bare_staff = UserFactory(username="bare-staff", email="bare-staff@uclg-aspac.example.org", is_staff=True)
    return {
        "forum": forum,
        "session": session,
        "speaker": speaker,
        "mine": Registration.objects.get(pk=mine.pk),
        "made_for": Registration.objects.get(pk=made_for.pk),
        "owner": owner,
        "other": other,
        "assistant": assistant,
        "bare_staff": bare_staff,
        "job": job,
        "checkin_list": checkin_list,
        "check_in": check_in,
        "staff_email": StaffEmail.objects.create(
            forum=forum,
            subject="Arrivals",
            body="Dear {name},",
            description="Every status",
            criteria={"statuses": [status for status, _label in RegistrationStatus.choices]},
            created_by=bare_staff,
        ),
    }


def url_of(name: str, world: dict, registration: Registration | None = None) -> str:
    """The URL of a named pattern, with real objects of ``world`` (a wrong key for token links)."""
    forum, session, speaker = world["forum"], world["session"], world["speaker"]
    kwargs_by_name = {
        "events:forum": {"forum_slug": forum.slug},
        "events:programme": {"forum_slug": forum.slug},
        "events:programme-ics": {"forum_slug": forum.slug},
        "events:programme-json": {"forum_slug": forum.slug},
        "events:session": {"forum_slug": forum.slug, "session_slug": session.slug},
        "events:session-ics": {"forum_slug": forum.slug, "session_slug": session.slug},
        "events:speakers": {"forum_slug": forum.slug},
        "events:speaker": {"forum_slug": forum.slug, "speaker_slug": speaker.slug},
        "delegates:register": {"forum_slug": forum.slug},
        "delegates:invitation": {"token": "wrong-token-wrong-token-wrong-token-wrong-tok"},
        "account_confirm_email": {"key": "MQ:1wrong:key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "wrong-key"},
    }
    if name in OWN_REGISTRATION:
        return reverse(name, kwargs={"public_id": (registration or world["mine"]).public_id})
    return reverse(name, kwargs=kwargs_by_name.get(name, {}))


def ask(client, method: str, url: str):
    return getattr(client, method)(url)


def is_sign_in(response, sign_in: str = SIGN_IN) -> bool:
    return response.status_code == 302 and response["Location"].startswith(sign_in)


def personal(world: dict) -> list[str]:
    """What must never appear on a page for someone it does not belong to."""
    mine, made_for = world["mine"], world["made_for"]
    return [mine.email, mine.reference, str(mine.public_id), made_for.email, made_for.reference]


# --- The matrix ----------------------------------------------------------------------------------------


def test_public_pages_answer_anyone_without_personal_data(client, world):
    wrong = []
    for name, (method, status) in PUBLIC.items():
        response = ask(client, method, url_of(name, world))
        body = response.content.decode(errors="replace") if not response.streaming else ""
        leaked = [text for text in personal(world) if text in body]
        if response.status_code != status or leaked:
            wrong.append((name, response.status_code, leaked))

    assert wrong == []


def test_account_flows_answer_without_anyones_data(client, world):
    wrong = []
    for name, (method, status) in ACCOUNT_FLOWS.items():
        response = ask(client, method, url_of(name, world))
        body = response.content.decode(errors="replace")
        leaked = [text for text in [*personal(world), world["owner"].email] if text in body]
        if response.status_code != status or leaked:
            wrong.append((name, response.status_code, leaked))

    assert wrong == []


def test_signed_in_pages_ask_to_sign_in_and_show_another_delegate_only_their_own(client, world):
    wrong = []
    for name, method in SIGNED_IN.items():
        url = url_of(name, world)
        client.logout()
        anonymous = ask(client, method, url)
        if not is_sign_in(anonymous):
            wrong.append((name, "anonymous", anonymous.status_code))
        for who in ("other", "bare_staff"):
            client.force_login(world[who])
            response = ask(client, method, url)
            body = response.content.decode(errors="replace")
            leaked = [text for text in personal(world) if text in body]
            if (response.status_code >= 400 and response.status_code != 404) or leaked:
                wrong.append((name, who, response.status_code, leaked))
        client.force_login(world["owner"])
        own = ask(client, method, url)
        if own.status_code >= 400 and own.status_code != 404:
            wrong.append((name, "owner", own.status_code))

    assert wrong == []


def test_my_registrations_shows_the_owner_their_own(client, world):
    client.force_login(world["owner"])

    body = client.get(reverse("delegates:my-registrations")).content.decode()

    assert world["mine"].reference in body and world["made_for"].reference not in body


@pytest.mark.parametrize("registration_key", ["mine", "made_for"])
def test_a_registrations_pages_answer_its_people_only(client, world, registration_key):
    registration = world[registration_key]
    allowed = {"mine": ["owner"], "made_for": ["assistant"]}[registration_key]
    refused = [who for who in ("other", "bare_staff", "owner", "assistant") if who not in allowed]
    wrong = []
    for name, method in OWN_REGISTRATION.items():
        url = url_of(name, world, registration)
        client.logout()
        anonymous = ask(client, method, url)
        if not is_sign_in(anonymous):
            wrong.append((name, "anonymous", anonymous.status_code))
        for who in refused:
            client.force_login(world[who])
            response = ask(client, method, url)
            if response.status_code != 404:
                wrong.append((name, who, response.status_code))
        for who in allowed:
            client.force_login(world[who])
            response = ask(client, method, url)
            if response.status_code != 200:
                wrong.append((name, who, response.status_code))

    assert wrong == []


def test_a_made_up_public_id_is_404_like_someone_elses(client, world):
    client.force_login(world["other"])

    for name in OWN_REGISTRATION:
        url = reverse(name, kwargs={"public_id": uuid.uuid4()})
        assert client.get(url).status_code == 404, name


def staff_with(*permissions: str):
    member = UserFactory(email=f"staff-{uuid.uuid4().hex[:8]}@uclg-aspac.example.org", is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return member


def test_staff_views_refuse_everyone_without_the_permission_and_answer_those_with_it(client, world):
    admin_sign_in = reverse("admin:login")
    wrong = []
    for name, (what, method, permissions, allowed_status) in STAFF_VIEWS.items():
        keys = () if what is None else (what if isinstance(what, tuple) else (what,))
        args = [world[{"registration": "mine"}.get(key, key)].pk for key in keys]
        url = reverse(name, args=args)
        client.logout()
        anonymous = ask(client, method, url)
        if not is_sign_in(anonymous, admin_sign_in):
            wrong.append((name, "anonymous", anonymous.status_code))
        client.force_login(world["owner"])  # a delegate, even the badge's own: not staff
        delegate = ask(client, method, url)
        if not (delegate.status_code == 404 or is_sign_in(delegate, admin_sign_in)):
            wrong.append((name, "delegate", delegate.status_code))
        client.force_login(world["bare_staff"])
        if ask(client, method, url).status_code != 403:
            wrong.append((name, "staff without permission", "not 403"))
        for missing in permissions:  # each permission is needed: staff with all but one are refused
            client.force_login(staff_with(*(p for p in permissions if p != missing)))
            if ask(client, method, url).status_code != 403:
                wrong.append((name, f"staff without {missing}", "not 403"))
        client.force_login(staff_with(*permissions))
        allowed = ask(client, method, url)
        if allowed.status_code != allowed_status:
            wrong.append((name, "staff with the permission", allowed.status_code))

    assert wrong == []


def test_door_api_refuses_everyone_without_the_permission_and_answers_those_with_it(client, world):
    wrong = []
    for name, (what, method, permissions, body, allowed_status) in DOOR_API.items():
        kwarg = {"checkin_list": "list_id", "check_in": "check_in_id"}[what]
        url = reverse(name, kwargs={kwarg: world[what].public_id})

        def send(url=url, method=method, body=body):
            if body is None:
                return getattr(client, method)(url)
            if body.get("form"):
                return client.post(url, {"reference": world[body["reference"]].reference})
            data = {k: (str(uuid.uuid4()) if v == "generated" else v) for k, v in body.items()}
            return client.post(url, data=data, content_type="application/json")

        client.logout()
        anonymous = send()
        if anonymous.status_code != 401 or "login_url" not in anonymous.json():
            wrong.append((name, "anonymous", anonymous.status_code))
        for who in ("owner", "bare_staff"):  # a delegate, even one on the list; staff without permission
            client.force_login(world[who])
            response = send()
            if response.status_code != 403 or set(response.json()) != {"error"}:
                wrong.append((name, who, response.status_code))
        for missing in permissions:
            client.force_login(staff_with(*(p for p in permissions if p != missing)))
            if send().status_code != 403:
                wrong.append((name, f"staff without {missing}", "not 403"))
        client.force_login(staff_with(*permissions))
        allowed = send()
        if allowed.status_code != allowed_status or "no-store" not in allowed["Cache-Control"]:
            wrong.append((name, "staff with the permission", allowed.status_code))

    assert wrong == []


def test_door_pages_refuse_everyone_without_the_permission_and_answer_those_with_it(client, world):
    wrong = []
    for name, (what, permissions) in DOOR_PAGES.items():
        url = reverse(name, kwargs={} if what is None else {"list_id": world[what].public_id})
        client.logout()
        if not is_sign_in(client.get(url)):
            wrong.append((name, "anonymous", "not sent to sign in"))
        for who in ("owner", "bare_staff"):  # a delegate, even one on the list; staff without permission
            client.force_login(world[who])
            if client.get(url).status_code != 403:
                wrong.append((name, who, "not 403"))
        client.force_login(staff_with(*permissions))
        allowed = client.get(url)
        body = allowed.content.decode()
        leaked = [text for text in personal(world) if text in body]
        if allowed.status_code != 200 or "no-store" not in allowed["Cache-Control"] or leaked:
            wrong.append((name, "staff with the permission", allowed.status_code, leaked))

    assert wrong == []


def test_the_admin_site_asks_anonymous_visitors_to_sign_in(client, world):
    admin_sign_in = reverse("admin:login")
    urls = {
        "admin:index": reverse("admin:index"),
        "admin:password_change": reverse("admin:password_change"),
        "admin:password_change_done": reverse("admin:password_change_done"),
        "admin:app_list": reverse("admin:app_list", args=["delegates"]),
        "admin:autocomplete": reverse("admin:autocomplete"),
        "admin:jsi18n": reverse("admin:jsi18n"),
        "admin:view_on_site": reverse("admin:view_on_site", args=[1, world["mine"].pk]),
        "admin:<catch-all>": f"/{settings.ADMIN_URL}delegates/nothing-here/",
    }
    wrong = [name for name, url in urls.items() if not is_sign_in(client.get(url), admin_sign_in)]

    assert wrong == []
    # The admin signs staff in through allauth (rate limits, two-factor authentication).
    assert is_sign_in(client.get(admin_sign_in))
    assert client.get(reverse("admin:logout"))["Location"] == reverse("admin:index")


def test_every_model_admin_refuses_staff_without_permission_and_anonymous_visitors(client, world):
    """A generated loop over ``admin.site``: the list, add, change, delete and history of every
    registered model, for a row that exists, answer 403 or a redirect (never 200) to staff without any
    permission, and the admin's sign-in to anonymous visitors and delegates."""
    admin_sign_in = reverse("admin:login")
    rows = {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}
    wrong = []
    checked = 0
    for model, row in rows.items():
        info = model._meta.app_label, model._meta.model_name
        for view in MODEL_ADMIN_VIEWS:
            name = "admin:{}_{}_{}".format(*info, view)
            if view in ("changelist", "add"):
                url = reverse(name)
            else:
                url = reverse(name, args=[row.pk if row is not None else 1])
            client.logout()
            if not is_sign_in(client.get(url), admin_sign_in):
                wrong.append((name, "anonymous"))
            client.force_login(world["other"])  # a delegate is not staff: the admin's sign-in
            if not is_sign_in(client.get(url), admin_sign_in):
                wrong.append((name, "delegate"))
            client.force_login(world["bare_staff"])
            response = client.get(url)
            if response.status_code not in (302, 403):
                wrong.append((name, "staff without permission", response.status_code))
            checked += 1

    assert wrong == []
    assert checked == len(admin.site._registry) * len(MODEL_ADMIN_VIEWS)
    assert checked >= 10 * len(MODEL_ADMIN_VIEWS)  # the registry is not empty by mistake
