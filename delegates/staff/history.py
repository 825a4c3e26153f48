"""Who changed what, on each object's admin history page: Django's own admin log (``LogEntry``).

The admin writes an entry for every change made in it; the services write one for the changes made
elsewhere (a delegate editing their registration, staff approving, rejecting, cancelling or
correcting, the waitlist seating a delegate) through ``history_record``. Django's log was chosen over a
versioning library: it needs no dependency, no shadow tables and no change to the admin pages, which
already show it, on PostgreSQL and SQLite alike.

An entry names the fields that changed and their new values only where they are not contact details
(``contact.py``): the history page is seen by every staff member who may see the object, and the
values that only some may see stay in the registration's status history (its reasons) and the object.

``LogEntry`` needs an account. Staff are named by their own; a change by the delegate (or whoever
registered them) or by no one (the waitlist) is logged under the inactive ``system`` account, with
"By the delegate." or "By the system." in the message, so that the delegate's address is not shown.
"""

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext_noop

from ..enums import RegistrationStatus
from .contact import contact_fields

SYSTEM_USERNAME = "system"

# Stored as data in English (the log keeps the words used at the time, as Django's own messages do).
BY_DELEGATE = gettext_noop("By the delegate.")
BY_SYSTEM = gettext_noop("By the system.")

__all__ = ["history_changes", "history_record", "history_status", "system_account"]


def system_account() -> AbstractBaseUser:
    """The inactive account the log names for changes no member of staff made (it cannot log in)."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "System"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def history_changes(obj: Model, fields: Iterable[str]) -> str:
    """ "Changed …" naming each field and its new value, the value left out for contact details (and
    for names that are not a model field, such as "sessions")."""
    hidden = contact_fields(type(obj))
    parts = []
    for name in fields:
        try:
            field = type(obj)._meta.get_field(name)
        except FieldDoesNotExist:
            parts.append(name)
            continue
        label = capfirst(str(field.verbose_name))
        if name in hidden:
            parts.append(label)
            continue
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display else getattr(obj, name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        parts.append(f"{label}: {'—' if value in (None, '') else value}")
    return f"Changed {'; '.join(parts)}."


def history_status(previous: str, status: str) -> str:
    """ "Status: Pending → Confirmed." (the reasons stay in the registration's status history)."""
    labels = dict(RegistrationStatus.choices)
    return f"Status: {labels.get(previous, previous) or '—'} → {labels.get(status, status)}."


def history_record(
    *, obj: Model, actor: AbstractBaseUser | None, message: str, anonymous_is_delegate: bool = False
) -> LogEntry:
    """Add one entry to ``obj``'s admin history: ``actor`` (staff, the delegate, or None for the system)
    changed it, as ``message`` says (no actor is the delegate on the public form when
    ``anonymous_is_delegate``). ``message`` must not quote contact details. Writes in the caller's
    transaction (an entry never outlives a rolled-back change)."""
    if actor is not None and getattr(actor, "is_staff", False):
        user, by = actor, ""
    else:
        user, by = (
            system_account(),
            (BY_SYSTEM if actor is None and not anonymous_is_delegate else BY_DELEGATE),
        )
    text = " ".join(part for part in (message.strip(), by) if part)
    return LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[obj], action_flag=CHANGE, change_message=text, single_object=True
    )
