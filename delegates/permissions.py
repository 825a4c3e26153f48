"""What staff may do, by name, and the one gate of the staff views outside the admin's own pages.

Django's model permissions (view/change of each model) cover the admin's lists and forms; the
capabilities that are no model's change are declared here and on ``Registration.Meta.permissions``,
so that a staff role (a group) is a list of these names. Code asks ``user.has_perm(PRINT_BADGES)``,
never for a permission spelled out in place.
"""

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Declared on Registration (Meta.permissions): (codename, label).
REGISTRATION_PERMISSIONS = (
    ("print_badges", _("Can print badges (start and restart print jobs)")),
    ("reissue_checkin_token", _("Can reissue the check-in code of a lost badge")),
)

VIEW_REGISTRATION = "delegates.view_registration"
CHANGE_REGISTRATION = "delegates.change_registration"
PRINT_BADGES = "delegates.print_badges"
REISSUE_CHECKIN_TOKEN = "delegates.reissue_checkin_token"  # noqa: S105 - a permission name, not a secret
VIEW_PRINT_JOB = "delegates.view_printjob"


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


def object_for_staff(queryset: QuerySet, object_id: str) -> Model:
    """The row of an admin URL's ``object_id`` (digits only), or 404."""
    if not str(object_id).isdigit():
        raise Http404("Not found")
    return get_object_or_404(queryset, pk=object_id)
