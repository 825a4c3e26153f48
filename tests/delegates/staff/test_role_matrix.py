"""The role matrix: for every ModelAdmin registered for events and delegates, each of its pages and
actions, and each staff view outside the admin's own pages, what each role gets — from the one table
below. The roles are the groups the migrations create; two staff members are limited to forum A.

Rules read with the tables:
- A letter present: the role may (200; a POST that saves may redirect, 302). Absent: 403.
  l = the list, v = an object's page, c = posting its form, a = the add page, d = the delete page,
  h = its history.
- Staff limited to forum A get a 404 for every object URL of forum B (and of anything that is in no
  forum of theirs, such as who is limited to what), whatever they may do on forum A; and forum B's
  rows are not in their lists.
"""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from delegates.staff.admin_roles import StaffRolesMixin
from tests.delegates.staff.conftest import LIMITED, ROLE_GROUPS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = tuple(ROLE_GROUPS)
EVERYTHING = "lvcadh"

# model -> role -> what the role may do.
PAGES = {
    "events.forum": {
        "admin": EVERYTHING,
        "registrar": "lvh",
        "door": "lvh",
        "read_only": "lvh",
        "registrar_a": "lvh",
        "admin_a": "lvcdh",  # no new forum: it would lie outside their forums
    },
    "events.session": {
        "admin": EVERYTHING,
        "registrar": "lvh",
        "door": "lvh",
        "read_only": "lvh",
        "registrar_a": "lvh",
        "admin_a": EVERYTHING,
    },
    **{
        model: {
            "admin": EVERYTHING,
            "registrar": "lvh",
            "door": "",
            "read_only": "lvh",
            "registrar_a": "lvh",
            "admin_a": EVERYTHING,
        }
        for model in ("events.room", "events.track", "events.speaker", "delegates.delegatecategory")
    },
    # Never added here (the public form), never deleted (cancelled instead).
    "delegates.registration": {
        "admin": "lvch",
        "registrar": "lvch",
        "door": "lvh",
        "read_only": "lvh",
        "registrar_a": "lvch",
        "admin_a": "lvch",
    },
    # Written by the services only; every row is an email to a person: contact details.
    "delegates.emailoutbox": {
        "admin": "lvch",
        "registrar": "lvch",
        "door": "",
        "read_only": "",
        "registrar_a": "lvch",
        "admin_a": "lvch",
    },
    # Emails staff write to delegates: kept once written (no deleting); their pages list recipients.
    "delegates.staffemail": {
        "admin": "lvcah",
        "registrar": "lvcah",
        "door": "",
        "read_only": "",
        "registrar_a": "lvcah",
        "admin_a": "lvcah",
    },
    # Started from the registration list; a finished job can be deleted.
    "delegates.printjob": {
        "admin": "lvdh",
        "registrar": "",
        "door": "lvdh",
        "read_only": "",
        "registrar_a": "",
        "admin_a": "lvdh",
    },
    # Lists of a day or session are the forum's own (not deleted here); staff add their own lists.
    "delegates.checkinlist": {
        "admin": "lvcah",
        "registrar": "",
        "door": "lvh",
        "read_only": "",
        "registrar_a": "",
        "admin_a": "lvcah",
    },
    # Made at the door, never edited or deleted here: undone (an action).
    "delegates.checkin": {
        "admin": "lvh",
        "registrar": "",
        "door": "lvh",
        "read_only": "",
        "registrar_a": "",
        "admin_a": "lvh",
    },
    # Added by hand or imported; never deleted (revoked instead).
    "delegates.invitation": {
        "admin": "lvcah",
        "registrar": "lvcah",
        "door": "",
        "read_only": "",
        "registrar_a": "lvcah",
        "admin_a": "lvcah",
    },
    "delegates.staffforumaccess": {
        "admin": EVERYTHING,
        "registrar": "",
        "door": "",
        "read_only": "",
        "registrar_a": "",
        "admin_a": "",
    },
}

ALL_STAFF = frozenset(ROLES)
ADMINS = frozenset({"admin", "admin_a"})
REGISTRATION_DESK = frozenset({"admin", "admin_a", "registrar", "registrar_a"})
PRINTERS = frozenset({"admin", "admin_a", "door"})
EXPORTERS = REGISTRATION_DESK | {"read_only"}
DASHBOARD = REGISTRATION_DESK | {"read_only"}

# model -> action -> the roles offered it.
ACTIONS = {
    "delegates.registration": {
        "approve_selected": REGISTRATION_DESK,
        "reject_selected": REGISTRATION_DESK,
        "cancel_selected": REGISTRATION_DESK,
        "waitlist_selected": REGISTRATION_DESK,
        "promote_selected": REGISTRATION_DESK,
        "change_category_selected": REGISTRATION_DESK,
        "resend_last_email": REGISTRATION_DESK,
        "email_selected": REGISTRATION_DESK,
        "print_badges": PRINTERS,
        "export_selected": EXPORTERS,
        "reissue_checkin_token": PRINTERS,
    },
    "delegates.emailoutbox": {"send_again": REGISTRATION_DESK},
    "delegates.invitation": {"resend_selected": REGISTRATION_DESK, "revoke_selected": REGISTRATION_DESK},
    "delegates.printjob": {"delete_selected": PRINTERS},
    "delegates.checkin": {"undo_selected": PRINTERS},
    "events.forum": {"copy_forum": frozenset({"admin"}), "delete_selected": ADMINS},
    "delegates.staffforumaccess": {"delete_selected": frozenset({"admin"})},
    **{
        model: {"delete_selected": ADMINS}
        for model in (
            "events.session",
            "events.room",
            "events.track",
            "events.speaker",
            "delegates.delegatecategory",
        )
    },
}

# Staff views outside the admin's own pages (``permissions.staff_view``): the roles that may.
STAFF_VIEWS = {
    "badge download": ("get", "admin:delegates_registration_badge", "registration", PRINTERS),
    "badge preview": ("get", "admin:delegates_registration_badge_preview", "registration", ALL_STAFF),
    "print job progress": ("get", "admin:delegates_printjob_progress", "print_job", PRINTERS),
    "print job download": ("get", "admin:delegates_printjob_download", "print_job", PRINTERS),
    "print job restart": ("post", "admin:delegates_printjob_restart", "print_job", PRINTERS),
    "forum dashboard": ("get", "admin:events_forum_dashboard", "forum", DASHBOARD),
}


def registered_models() -> dict[str, type]:
    return {
        model._meta.label_lower: model
        for model in admin.site._registry
        if model._meta.app_label in ("events", "delegates")
    }


def every_action() -> list[tuple[str, str]]:
    """(model, action) of every action a superuser is offered on every registered ModelAdmin."""
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    found = []
    for label, model in sorted(registered_models().items()):
        found.extend((label, action) for action in admin.site._registry[model].get_actions(request))
    return found


def test_every_admin_of_both_apps_enforces_the_roles_and_is_in_the_table():
    models = registered_models()

    assert all(isinstance(admin.site._registry[m], StaffRolesMixin) for m in models.values())
    assert set(models) == set(PAGES)
    assert all(set(row) == set(ROLES) for row in PAGES.values())


def test_every_action_is_in_the_table():
    assert sorted(every_action()) == sorted(
        (model, action) for model, actions in ACTIONS.items() for action in actions
    )


def own_and_other(world, label: str):
    """The object of forum A (the role's own, for limited staff) and the one of forum B."""
    if label == "delegates.staffforumaccess":
        return world.access, None
    attribute = {
        "events.forum": "forum",
        "events.session": "session",
        "events.room": "room",
        "events.track": "track",
        "events.speaker": "speaker",
        "delegates.delegatecategory": "category",
        "delegates.registration": "registration",
        "delegates.emailoutbox": "email",
        "delegates.staffemail": "staff_email",
        "delegates.printjob": "print_job",
        "delegates.checkinlist": "checkin_list",
        "delegates.checkin": "check_in",
        "delegates.invitation": "invitation",
    }[label]
    return getattr(world.a, attribute), getattr(world.b, attribute)


def url(label: str, page: str, obj=None) -> str:
    app, model = label.split(".")
    name = {"l": "changelist", "a": "add", "v": "change", "c": "change", "d": "delete", "h": "history"}[page]
    return reverse(f"admin:{app}_{model}_{name}", args=[obj.pk] if obj is not None else [])


def outcome(client, label: str, page: str, obj=None) -> int:
    target = url(label, page, obj)
    response = client.post(target, {}) if page == "c" else client.get(target)
    return 200 if response.status_code in (200, 302) and page == "c" else response.status_code


@pytest.mark.parametrize("label", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_role_pages(world, as_role, role, label):
    client = as_role(role)
    own, other = own_and_other(world, label)
    allowed = PAGES[label][role]
    expected, got = {}, {}
    for page in "lahvdc":  # posting the form last: it may save
        if page in "la":
            expected[page] = 200 if page in allowed else 403
            got[page] = outcome(client, label, page)
            continue
        forum_less = label == "delegates.staffforumaccess"
        expected[page] = 404 if role in LIMITED and forum_less else (200 if page in allowed else 403)
        got[page] = outcome(client, label, page, own)
        if role in LIMITED and other is not None:
            expected[f"{page} of forum B"] = 404
            got[f"{page} of forum B"] = outcome(client, label, page, other)

    assert got == expected


@pytest.mark.parametrize("label", sorted(PAGES))
def test_limited_staff_lists_hold_their_forums_rows_only(world, as_role, label):
    own, other = own_and_other(world, label)
    if other is None:
        pytest.skip("rows of no forum: limited staff have no list of them (see the page matrix)")
    role = "admin_a"
    if "l" not in PAGES[label][role]:
        role = "registrar_a"

    response = as_role(role).get(url(label, "l"))

    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert (own.pk in shown, other.pk in shown) == (True, False)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("label", "action"), sorted((m, a) for m, acts in ACTIONS.items() for a in acts))
@pytest.mark.parametrize("role", ROLES)
def test_role_actions(world, as_role, role, label, action):
    client = as_role(role)
    own, _other = own_and_other(world, label)
    may_list = "l" in PAGES[label][role]

    listing = client.get(url(label, "l"))
    response = client.post(url(label, "l"), {"action": action, "_selected_action": [own.pk], "index": "0"})

    offered = may_list and f'value="{action}"' in listing.content.decode()
    # Refused: "No action selected." — or, with no action offered at all, the list shown again.
    refused = (response.status_code == 302 and "No action selected." in message_texts(response)) or (
        response.status_code == 200 and "cl" in (response.context or {})
    )
    if not may_list:
        outcome_ = "no list" if (listing.status_code, response.status_code) == (403, 403) else "list?"
    elif offered and not refused and response.status_code in (200, 302):
        outcome_ = "done"
    elif not offered and refused:
        outcome_ = "refused"
    else:
        outcome_ = f"inconsistent ({offered=}, {response.status_code})"
    expected = "done" if role in ACTIONS[label][action] else ("refused" if may_list else "no list")
    assert outcome_ == expected


@pytest.mark.parametrize("view", sorted(STAFF_VIEWS))
@pytest.mark.parametrize("role", ROLES)
def test_role_staff_views(world, as_role, settings, role, view):
    settings.BADGE_RENDER_PROCESSES = 1
    method, name, attribute, roles = STAFF_VIEWS[view]
    client = as_role(role)

    def status(rows) -> int:
        target = reverse(name, args=[getattr(rows, attribute).pk])
        return getattr(client, method)(target).status_code

    ok = 302 if method == "post" else 200
    got = {"forum A": status(world.a)}
    expected = {"forum A": ok if role in roles else 403}
    if role in LIMITED:
        got["forum B"] = status(world.b)
        expected["forum B"] = 404 if role in roles else 403
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_role_export_page(world, as_role, role):
    client = as_role(role)

    page = client.get(reverse("admin:delegates_registration_export"))

    assert page.status_code == (200 if role in EXPORTERS else 403)
    if role in LIMITED and page.status_code == 200:  # only their own forums are offered
        assert f'value="{world.a.registration.forum_id}"' in page.text
        assert f'value="{world.b.registration.forum_id}"' not in page.text
