"""Accounts of the delegates tests: staff with some of the delegates app's permissions, and users
whose email address is verified (as allauth records it)."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


def staff_user(username: str, *codenames: str):
    """A staff account with these permissions of the delegates app (model permissions such as
    ``view_registration``, and the named ones of ``delegates/permissions.py`` such as ``print_badges``)."""
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="delegates", codename__in=codenames)
    )
    return user


def verified_user(email: str, **extra):
    user = UserFactory(email=email, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
