"""What staff may do, by name; the staff roles; which forums a staff member works on; and the one gate
of the staff views outside the admin's own pages.

Django's model permissions (view/change of each model) cover the admin's lists and forms; the
capabilities that are no model's change are declared here and on ``Registration.Meta.permissions``,
so that a staff role (a group) is a list of these names. Code asks ``user.has_perm(PRINT_BADGES)``,
never for a permission spelled out in place.

Roles (``ROLES``) are Django groups, created and kept up to date by migrations
(``delegates/migrations/*_staff_roles.py`` call ``roles_sync``). A staff member may also be limited to
chosen forums (``StaffForumAccess``): ``delegates.staff.selectors`` says which and narrows querysets
and staff URLs to them (``staff_scope``, ``staff_object_or_404``); the admin applies both, and hides
contact details from staff without ``VIEW_CONTACT_DETAILS``, in ``delegates.staff.admin_roles``.
"""

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Declared on Registration (Meta.permissions): (codename, label).
REGISTRATION_PERMISSIONS = (
    ("print_badges", _("Can print badges (start and restart print jobs)")),
    ("reissue_checkin_token", _("Can reissue the check-in code of a lost badge")),
    ("view_contact_details", _("Can see delegates' email, phone, dietary, travel and visa details")),
    ("export_registrations", _("Can export delegate lists")),
    ("email_delegates", _("Can write emails to delegates")),
    ("view_dashboard", _("Can see the dashboard of a forum")),
    ("check_in", _("Can check delegates in at the door")),
    ("undo_checkin", _("Can undo a mistaken check-in")),
)

VIEW_REGISTRATION = "delegates.view_registration"
CHANGE_REGISTRATION = "delegates.change_registration"
PRINT_BADGES = "delegates.print_badges"
REISSUE_CHECKIN_TOKEN = "delegates.reissue_checkin_token"  # noqa: S105 - a permission name, not a secret
VIEW_PRINT_JOB = "delegates.view_printjob"
ADD_REGISTRATION = "delegates.add_registration"
VIEW_CONTACT_DETAILS = "delegates.view_contact_details"
EXPORT_REGISTRATIONS = "delegates.export_registrations"
EMAIL_DELEGATES = "delegates.email_delegates"
VIEW_DASHBOARD = "delegates.view_dashboard"
CHECK_IN = "delegates.check_in"
UNDO_CHECKIN = "delegates.undo_checkin"

# --- Staff roles ---------------------------------------------------------------------------------------
# Each role is a group with exactly these permissions ("app_label.codename"); "app_label.*" is every
# permission of that app. A later capability adds its permissions here and syncs the roles in its
# migration, so that the roles stay what their names promise.

FORUM_ADMINISTRATORS = "Forum administrators"
REGISTRARS = "Registrars"
BADGE_AND_DOOR_TEAM = "Badge and door team"
READ_ONLY = "Read-only"

_VIEW_PROGRAMME = (
    "events.view_forum",
    "events.view_session",
    "events.view_room",
    "events.view_track",
    "events.view_speaker",
)

ROLES: dict[str, tuple[str, ...]] = {
    # Everything of the two apps, forum settings included.
    FORUM_ADMINISTRATORS: ("delegates.*", "events.*"),
    # Registrations, invitations, emails, exports; not forum settings.
    REGISTRARS: (
        *_VIEW_PROGRAMME,
        "delegates.view_delegatecategory",
        VIEW_REGISTRATION,
        ADD_REGISTRATION,
        CHANGE_REGISTRATION,
        VIEW_CONTACT_DETAILS,
        EXPORT_REGISTRATIONS,
        EMAIL_DELEGATES,
        VIEW_DASHBOARD,
        "delegates.view_emailoutbox",
        "delegates.change_emailoutbox",
        "delegates.view_sessionsignup",
    ),
    # Print and check in; sees only what the door needs (no contact, dietary, travel or visa data).
    BADGE_AND_DOOR_TEAM: (
        "events.view_forum",
        "events.view_session",
        VIEW_REGISTRATION,
        PRINT_BADGES,
        REISSUE_CHECKIN_TOKEN,
        VIEW_PRINT_JOB,
        "delegates.delete_printjob",
        CHECK_IN,
        UNDO_CHECKIN,
        "delegates.view_checkinlist",
        "delegates.view_checkin",
        "delegates.view_checkinscan",
    ),
    # The dashboard and exports without personal contact data (e.g. for the host city).
    READ_ONLY: (
        *_VIEW_PROGRAMME,
        "delegates.view_delegatecategory",
        VIEW_REGISTRATION,
        VIEW_DASHBOARD,
        EXPORT_REGISTRATIONS,
    ),
}


def roles_sync(*, apps, permission_model=None, group_model=None) -> None:
    """Create the role groups and give each exactly the permissions of ``ROLES`` that exist (a
    migration passes its historical ``apps``; permissions not created yet are skipped, and the next
    sync adds them). Idempotent: permissions an administrator added to a role by hand are removed —
    a role is what its name promises; give extra rights to the person, not the role."""
    from django.contrib.auth.management import create_permissions

    Permission = permission_model or apps.get_model("auth", "Permission")
    Group = group_model or apps.get_model("auth", "Group")
    for label in ("delegates", "events"):
        # Permissions are created after all migrations ran; roles need them now. A historical app
        # config has no models module, which create_permissions takes for "nothing to do": lend it
        # one for the call, and give back what it had (the real registry's config keeps its own —
        # without it, every later post_migrate would skip the app's permissions).
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = models_module
    every = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for name, names in ROLES.items():
        wanted = set()
        for entry in names:
            label, _dot, codename = entry.partition(".")
            if codename == "*":
                wanted |= {p for key, p in every.items() if key.startswith(f"{label}.")}
            elif entry in every:
                wanted.add(every[entry])
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)


def staff_view(*permissions: str) -> Callable:
    """For staff views mounted under the admin (whose two-factor rule then applies): not signed in →
    the sign-in page; signed in but not active staff → 404 (nothing to learn here); staff without
    every one of ``permissions`` → 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            from django.contrib.auth.views import redirect_to_login  # not at import: models read this module

            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not (user.is_active and user.is_staff):
                raise Http404("Not found")
            if not all(user.has_perm(permission) for permission in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
