"""The demo's staff: one account per staff role, and a registrar limited to the upcoming forum, so that
anyone trying the demo can sign in as each role and see what it sees. FICTIONAL people on a reserved
example domain (``.example`` never receives mail); created by ``seed_demo --with-staff`` only, never
on a production site."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from events.models import Forum

from ..models import StaffForumAccess
from ..permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS

DEMO_DOMAIN = "demo.amf-events.example"
UPCOMING_FORUM_SLUG = "amf-2027"


@dataclass(frozen=True)
class DemoStaff:
    email: str
    first_name: str
    last_name: str
    role: str
    forum_slugs: tuple[str, ...] = ()  # limited to these forums; empty: every forum

    @property
    def label(self) -> str:
        """What ``make run`` prints before the login: the role, and the forums it is limited to."""
        if not self.forum_slugs:
            return self.role
        return f"{self.role}, {', '.join(self.forum_slugs)} only"


DEMO_STAFF = (
    DemoStaff(f"forum-admin@{DEMO_DOMAIN}", "Malai", "Sirisuk", FORUM_ADMINISTRATORS),
    DemoStaff(f"registrar@{DEMO_DOMAIN}", "Dewi", "Hartono", REGISTRARS),
    DemoStaff(
        f"registrar-amf-2027@{DEMO_DOMAIN}", "Sopheap", "Chea", REGISTRARS, forum_slugs=(UPCOMING_FORUM_SLUG,)
    ),
    DemoStaff(f"door@{DEMO_DOMAIN}", "Arnel", "Bautista", BADGE_AND_DOOR_TEAM),
    DemoStaff(f"read-only@{DEMO_DOMAIN}", "Thida", "Win", READ_ONLY),
)


@transaction.atomic
def demo_staff_roles_ensure(*, password: str) -> list[DemoStaff]:
    """Create or update the accounts of ``DEMO_STAFF``: active staff (never superusers), each in exactly
    its role's group (made by the migrations), limited to its forums or to none, with its address
    verified (staff sign in through allauth) and ``password`` set. Idempotent: a second run leaves one
    account each. Returns the accounts, in order."""
    user_model = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in={s.role for s in DEMO_STAFF})}
    for staff in DEMO_STAFF:
        user = user_model._default_manager.filter(username=staff.email).first() or user_model(
            username=staff.email
        )
        user.email = staff.email
        user.first_name, user.last_name = staff.first_name, staff.last_name
        user.is_active, user.is_staff, user.is_superuser = True, True, False
        user.set_password(password)
        user.save()
        user.groups.set([groups[staff.role]])
        user.user_permissions.clear()
        if staff.forum_slugs:
            access, _created = StaffForumAccess.objects.get_or_create(user=user)
            access.forums.set(Forum.objects.filter(slug__in=staff.forum_slugs))
        else:
            StaffForumAccess.objects.filter(user=user).delete()
        EmailAddress.objects.update_or_create(
            user=user, email=staff.email, defaults={"verified": True, "primary": True}
        )
    return list(DEMO_STAFF)
