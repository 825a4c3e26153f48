"""Staff corrections of a registration: its category, its email address, whether the delegate is a head
of local government, and any of its details — also after the delegates' edit deadline, which binds
delegates, not the secretariat (the admin offers this to staff who may change registrations).

Every correction goes through the seat locks like the public flow (forum, then categories in id order)
and is recorded in the registration's history (a status change that keeps the status, with a reason
naming what changed; the actor and the time say who and when), and the delegate is emailed.

- Category: a confirmed delegate moves only into a category with a free seat. A correction never
  quietly takes a seat away (a confirmed delegate put on a waitlist would lose their badge and their
  sessions' seats): into a full category it is refused with a message saying so, and staff can raise
  that category's capacity first. A pending or waitlisted registration holds no seat: it moves and keeps
  its place in the queue (its submission time); if the new category has a seat, the waitlist rules give
  it one at once. The seat a confirmed delegate leaves goes to the first on the old category's waitlist.
  The head-of-local-government mark follows the new category's default unless staff set it in the
  same correction.
- Email: one registration per email address per forum, as on the public form (the database's unique
  constraint guarantees it; the message names the registration that has the address). The delegate is
  emailed at the new address (the person who registered them gets their usual copy). The old address
  is told too when an account has verified it — then it is known to be the delegate's own, and they
  should learn that their registration's emails now go elsewhere; a mistyped or unknown address, the
  usual reason for the correction, is sent nothing, so no stranger receives the delegate's details.
  The delegate's account and whoever registered them keep seeing the registration.
"""

import logging

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..badges.content import BADGE_FIELDS
from ..badges.storage import badge_render_on_commit
from ..enums import ACTIVE_STATUSES, EmailKind, RegistrationStatus
from ..mail.outbox import email_queue
from ..models import DelegateCategory, Registration, StatusChange
from ..staff.history import history_changes, history_record
from .seats import category_has_seat, lock_seats, promote_from_waitlist, seats_locked
from .services import EDITABLE_FIELDS, DuplicateRegistration, RegistrationError, account_of_address

logger = logging.getLogger(__name__)

# What the history says (stored as data, like the other reasons of the services: the history keeps the
# words used at the time). The email to the delegate quotes it.
REASON_CATEGORY = "Category changed from “{old}” to “{new}”."
REASON_EMAIL = "Email address changed from {old} to {new}."
REASON_HEAD_ON = "Marked as a head of local government."
REASON_HEAD_OFF = "No longer marked as a head of local government."
REASON_DETAILS = "Details changed: {fields}."

# The detail of the outbox key of the copy sent to the old address.
OLD_ADDRESS_DETAIL = "previous-address"

__all__ = [
    "CategoryFull",
    "EmailTaken",
    "registration_correct",
    "registration_correction_problems",
]


class CategoryFull(RegistrationError):
    """A confirmed delegate cannot move into a category without a free seat."""


class EmailTaken(DuplicateRegistration):
    """Another registration of the forum has this email address."""


def _category_problem(registration: Registration, category: DelegateCategory) -> str:
    if category.forum_id != registration.forum_id:
        return _("Please choose a delegate category of this forum.")
    if registration.status == RegistrationStatus.CONFIRMED and not category_has_seat(category):
        return _(
            "“%(category)s” is full (all %(capacity)d places are confirmed), so this confirmed delegate "
            "stays in “%(current)s”. Raise the capacity of “%(category)s” first, or choose another "
            "category."
        ) % {
            "category": category.name,
            "capacity": category.capacity,
            "current": registration.category.name,
        }
    return ""


def _email_problem(registration: Registration, email: str) -> str:
    # Cancelled registrations of the address are no obstacle, as on the registration form.
    other = (
        Registration.objects.filter(forum_id=registration.forum_id, email__iexact=email)
        .exclude(pk=registration.pk)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("id")
        .first()
    )
    if other is None:
        return ""
    return _(
        "This email address is already used by registration %(reference)s (%(status)s) of this forum: "
        "an email address has one registration per forum."
    ) % {"reference": other.reference, "status": other.get_status_display()}


def registration_correction_problems(
    *, registration: Registration, category: DelegateCategory | None = None, email: str | None = None
) -> dict[str, str]:
    """Why moving ``registration`` to ``category`` or giving it ``email`` cannot be done now, by field
    name (``"category"``, ``"email"``); empty when both can. Reads without locks, for the admin form's
    messages next to the fields; ``registration_correct`` asks the same under the seat locks."""
    problems = {}
    if category is not None and category.pk != registration.category_id:
        problems["category"] = _category_problem(registration, category)
    if email is not None and email.strip().lower() != registration.email.lower():
        problems["email"] = _email_problem(registration, email.strip())
    return {name: problem for name, problem in problems.items() if problem}


def _old_address_is_known(email: str) -> bool:
    """Whether an account has verified this address (so it is known to reach a real person who owns
    it, not a stranger's mailbox behind a typo)."""
    return EmailAddress.objects.filter(email__iexact=email, verified=True).exists()


def _lock(registration: Registration, category: DelegateCategory | None):
    """The forum, the registration's category and the new one (id order), then the registration row,
    fresh from the database."""
    wanted = {registration.category_id} | ({category.pk} if category is not None else set())
    forum, categories, _sessions = lock_seats(forum_id=registration.forum_id, category_ids=wanted)
    fresh = Registration.objects.select_for_update().select_related("category").get(pk=registration.pk)
    if fresh.category_id not in categories:  # moved by someone else since the caller loaded it
        categories.update(lock_seats(forum_id=forum.id, category_ids=[fresh.category_id])[1])
    fresh.forum = forum
    fresh.category = categories[fresh.category_id]
    return fresh, forum, categories


@seats_locked
def registration_correct(
    *,
    registration: Registration,
    actor: AbstractBaseUser | None,
    data: dict | None = None,
    category: DelegateCategory | None = None,
    email: str | None = None,
    is_head_of_local_government: bool | None = None,
    note: str = "",
) -> Registration:
    """Staff correct a registration: move it to ``category``, give it ``email``, set whether the
    delegate is a head of local government, change details (``data``, among ``EDITABLE_FIELDS``).
    ``None`` (or a missing key) leaves a value as it is. Not bound by the delegates' edit deadline.

    Takes the forum's, both categories' and the registration's row locks. Records one history entry
    (the status stays; the reason names what changed, followed by ``note``), queues the "details
    changed" email to the delegate (and to the old address when it is known, see the module's
    docstring), renders a confirmed delegate's badge again after commit when its category or a printed
    detail changed, and gives a seat freed in the old category to its waitlist (emailed). Nothing
    changed: nothing is written or sent.

    Raises RegistrationError for an inactive registration or a category of another forum, CategoryFull
    when a confirmed delegate would move into a full category, EmailTaken when another registration of
    the forum has the address, RegistrationBusy on lock timeout. Nothing is saved when it raises.
    """
    fresh, forum, categories = _lock(registration, category)
    if fresh.status not in ACTIVE_STATUSES:
        raise RegistrationError(_("This registration is no longer active."))
    reasons: list[str] = []
    changed: list[str] = []

    moved = category is not None and category.pk != fresh.category_id
    if moved:
        target = categories[category.pk]
        problem = _category_problem(fresh, target)
        if problem:
            raise (CategoryFull if target.forum_id == fresh.forum_id else RegistrationError)(problem)
        reasons.append(REASON_CATEGORY.format(old=fresh.category.name, new=target.name))
        fresh.category = target
        changed.append("category")
        if is_head_of_local_government is None:
            is_head_of_local_government = target.heads_of_local_government

    old_email = fresh.email
    if email is not None and email.strip() != fresh.email:
        email = email.strip()
        problem = _email_problem(fresh, email)
        if problem:
            raise EmailTaken(problem)
        reasons.append(REASON_EMAIL.format(old=old_email, new=email))
        fresh.email = email
        # The registration belongs to the new address: its account (if any) sees it, the old one's no
        # longer does (whoever registered the delegate still does).
        fresh.user = account_of_address(email)
        changed.extend(["email", "user"])

    if is_head_of_local_government is not None and is_head_of_local_government != (
        fresh.is_head_of_local_government
    ):
        fresh.is_head_of_local_government = is_head_of_local_government
        reasons.append(REASON_HEAD_ON if is_head_of_local_government else REASON_HEAD_OFF)
        changed.append("is_head_of_local_government")

    details = [
        name for name in EDITABLE_FIELDS if name in (data or {}) and getattr(fresh, name) != data[name]
    ]
    for name in details:
        setattr(fresh, name, data[name])
    if details:
        labels = ", ".join(str(Registration._meta.get_field(name).verbose_name) for name in details)
        reasons.append(REASON_DETAILS.format(fields=labels))
    changed.extend(details)
    if not changed:
        return fresh

    try:
        with transaction.atomic():
            fresh.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:  # the database's word on one registration per email per forum
        raise EmailTaken(_("This email address is already registered for this forum.")) from error
    reason = " ".join([*reasons, note.strip()]).strip()
    change = StatusChange.objects.create(
        registration=fresh, from_status=fresh.status, to_status=fresh.status, actor=actor, reason=reason
    )
    history_record(obj=fresh, actor=actor, message=history_changes(fresh, changed))
    email_queue(registration=fresh, kind=EmailKind.CHANGED, reason=reason, last_change=change.pk)
    if "email" in changed and _old_address_is_known(old_email):
        email_queue(
            registration=fresh,
            kind=EmailKind.CHANGED,
            reason=reason,
            last_change=change.pk,
            detail=OLD_ADDRESS_DETAIL,
            to=old_email,
        )
    if fresh.status == RegistrationStatus.CONFIRMED and (moved or BADGE_FIELDS.intersection(changed)):
        badge_render_on_commit(registration_id=fresh.pk)  # the category's name and colour are printed
    if moved:
        # A seat left in the old category, or one waiting in the new: the waitlist rules settle both.
        promote_from_waitlist(forum=forum, freed_session_ids=())
    logger.info("registration corrected", extra={"registration": fresh.pk, "fields": changed})
    return fresh
