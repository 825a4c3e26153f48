"""The demo's staff accounts (``delegates/demo/staff.py``, made by ``seed_demo --with-staff``): one per
staff role and a registrar limited to the upcoming forum, each signing in through the real login page
and seeing what its role sees; printed with the superuser's login; idempotent."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from delegates.demo.staff import DEMO_STAFF, demo_staff_roles_ensure
from delegates.models import StaffForumAccess
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS

pytestmark = pytest.mark.django_db

PASSWORD = "amf-demo-staff"
LOGINS = [
    "Demo staff login: staff@amf.local / amf-demo-staff",
    "Demo role login (Forum administrators): forum-admin@demo.amf-events.example / amf-demo-staff",
    "Demo role login (Registrars): registrar@demo.amf-events.example / amf-demo-staff",
    "Demo role login (Registrars, amf-2027 only): registrar-amf-2027@demo.amf-events.example"
    " / amf-demo-staff",
    "Demo role login (Badge and door team): door@demo.amf-events.example / amf-demo-staff",
    "Demo role login (Read-only): read-only@demo.amf-events.example / amf-demo-staff",
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo with its staff, once for the module (the registrations take a few seconds)."""
    from django.test import override_settings

    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), DEBUG=True),
    ):
        call_command("seed_demo", "--with-staff", verbosity=1, stdout=out)
        yield out.getvalue()
        from delegates.models import Registration
        from events.models import Forum, Speaker

        Registration.objects.all().delete()
        Forum.objects.all().delete()
        Speaker.objects.all().delete()
        User.objects.all().delete()


def signed_in(email: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, email
    return client


def test_seed_demo_prints_every_demo_login(seeded):
    assert [line for line in seeded.splitlines() if " login" in line] == LOGINS


def test_each_demo_account_is_staff_in_exactly_its_role(seeded):
    accounts = {
        user.email: ([group.name for group in user.groups.all()], user.is_staff, user.is_superuser)
        for user in User.objects.filter(email__endswith="@demo.amf-events.example").prefetch_related("groups")
    }

    assert accounts == {
        "forum-admin@demo.amf-events.example": ([FORUM_ADMINISTRATORS], True, False),
        "registrar@demo.amf-events.example": ([REGISTRARS], True, False),
        "registrar-amf-2027@demo.amf-events.example": ([REGISTRARS], True, False),
        "door@demo.amf-events.example": ([BADGE_AND_DOOR_TEAM], True, False),
        "read-only@demo.amf-events.example": ([READ_ONLY], True, False),
    }
    limited = StaffForumAccess.objects.get()
    assert (limited.user.email, [forum.slug for forum in limited.forums.all()]) == (
        "registrar-amf-2027@demo.amf-events.example",
        ["amf-2027"],
    )


@pytest.mark.parametrize(
    ("email", "registrations", "can_print"),
    [
        ("forum-admin@demo.amf-events.example", {"amf-2027", "pre-amf-2022"}, True),
        ("registrar@demo.amf-events.example", {"amf-2027", "pre-amf-2022"}, False),
        ("registrar-amf-2027@demo.amf-events.example", {"amf-2027"}, False),
        ("door@demo.amf-events.example", {"amf-2027", "pre-amf-2022"}, True),
        ("read-only@demo.amf-events.example", {"amf-2027", "pre-amf-2022"}, False),
    ],
)
def test_each_demo_account_signs_in_and_sees_its_part(seeded, email, registrations, can_print):
    client = signed_in(email)

    index = client.get(reverse("admin:index"))
    listing = client.get(reverse("admin:delegates_registration_changelist"))
    jobs = client.get(reverse("admin:delegates_printjob_changelist"))

    assert index.status_code == 200
    assert {r.forum.slug for r in listing.context["cl"].queryset.select_related("forum")} == registrations
    assert jobs.status_code == (200 if can_print else 403)


def test_the_demo_staff_are_made_once(seeded):
    before = sorted(User.objects.values_list("pk", "username"))

    demo_staff_roles_ensure(password=PASSWORD)

    assert sorted(User.objects.values_list("pk", "username")) == before
    assert len(DEMO_STAFF) == User.objects.filter(email__endswith="@demo.amf-events.example").count() == 5
    assert StaffForumAccess.objects.count() == 1
