"""Invitation use cases: create one, import a list (all or nothing), send again, revoke. Using an
invitation happens in ``registration.services.registration_submit``, in the registration's own
transaction, under the invitation's row lock.

Sending again makes a new personal link: only the hash of a token is stored, so the old link cannot be
sent again — it stops working, and the earlier email, if still waiting in the outbox, is not sent.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Forum

from ..enums import ACTIVE_STATUSES, OPEN_INVITATION_STATUSES, InvitationStatus
from ..models import DelegateCategory, Invitation, Registration, invitation_token_new
from ..staff.history import history_record
from .emails import invitation_email_queue

logger = logging.getLogger(__name__)

__all__ = [
    "InvitationError",
    "Invitee",
    "invitation_conflict",
    "invitation_create",
    "invitation_import",
    "invitation_resend",
    "invitation_revoke",
]


class InvitationError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message for staff."""


@dataclass(frozen=True)
class Invitee:
    """One person to invite, as checked by the form or the import."""

    category: DelegateCategory
    name: str
    email: str
    position: str = ""
    city: str = ""
    country: str = ""


def invitation_conflict(*, forum_id: int, email: str) -> str | None:
    """Why ``email`` cannot be invited to the forum (None: it can): an open invitation of the address,
    or a registration of it that takes part."""
    email = email.strip()
    if Invitation.objects.filter(
        forum_id=forum_id, email__iexact=email, status__in=OPEN_INVITATION_STATUSES
    ).exists():
        return _("This address already has an invitation to this forum that has not been used.")
    if Registration.objects.filter(
        forum_id=forum_id, email__iexact=email, status__in=ACTIVE_STATUSES
    ).exists():
        return _("This address is already registered for this forum.")
    return None


def _create(*, forum: Forum, invitee: Invitee, actor: AbstractBaseUser | None) -> Invitation:
    if invitee.category.forum_id != forum.pk or not invitee.category.by_invitation:
        raise InvitationError(_("Choose a category of this forum that is by invitation only."))
    conflict = invitation_conflict(forum_id=forum.pk, email=invitee.email)
    if conflict:
        raise InvitationError(conflict)
    token, token_hash = invitation_token_new()
    invitation = Invitation(
        forum=forum,
        category=invitee.category,
        name=invitee.name.strip(),
        email=invitee.email.strip(),
        position=invitee.position.strip(),
        city=invitee.city.strip(),
        country=invitee.country,
        token_hash=token_hash,
        times_sent=1,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:  # the database's word on one open invitation per address
        raise InvitationError(
            _("This address already has an invitation to this forum that has not been used.")
        ) from error
    history_record(obj=invitation, actor=actor, message="Invited; email queued.")
    invitation_email_queue(invitation=invitation, token=token)
    return invitation


@transaction.atomic
def invitation_create(*, forum: Forum, invitee: Invitee, actor: AbstractBaseUser | None) -> Invitation:
    """Invite one person: the invitation (PENDING) and its email with a new personal link (sent after
    commit; the invitation is SENT once it has gone). Raises InvitationError if the category is not
    one of the forum's invitation-only categories, or the address has an open invitation or an active
    registration for the forum."""
    return _create(forum=forum, invitee=invitee, actor=actor)


@transaction.atomic
def invitation_import(
    *, forum: Forum, invitees: Iterable[Invitee], actor: AbstractBaseUser | None
) -> list[Invitation]:
    """Invite everyone of a checked list, in one transaction: if any one cannot be invited (a conflict
    that arose since the list was checked), nobody is and InvitationError says who. Each gets their
    email after commit."""
    created = []
    for number, invitee in enumerate(invitees, start=1):
        try:
            created.append(_create(forum=forum, invitee=invitee, actor=actor))
        except InvitationError as error:
            raise InvitationError(
                _("Invitee %(number)s (%(email)s): %(error)s")
                % {"number": number, "email": invitee.email, "error": error}
            ) from error
    logger.info("invitations imported", extra={"forum": forum.pk, "count": len(created)})
    return created


def _lock_open(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("forum", "category").get(pk=invitation.pk)
    if locked.status not in OPEN_INVITATION_STATUSES:
        raise InvitationError(_("This invitation has been used or revoked."))
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: AbstractBaseUser | None) -> Invitation:
    """Email the invitation again, with a new personal link: the previous link stops working, and a
    previous email still waiting is not sent. The invitation is PENDING until the new email has gone.
    Raises InvitationError if it has been used or revoked."""
    invitation = _lock_open(invitation)
    token, invitation.token_hash = invitation_token_new()
    invitation.times_sent += 1
    invitation.status = InvitationStatus.PENDING
    invitation.save(update_fields=["token_hash", "times_sent", "status"])
    history_record(obj=invitation, actor=actor, message="Sent again with a new link.")
    invitation_email_queue(invitation=invitation, token=token)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: AbstractBaseUser | None) -> Invitation:
    """Withdraw an open invitation: its link then says so and gives the secretariat's address; an
    email still waiting is not sent. Raises InvitationError if it has been used or revoked already."""
    from ..mail.outbox import outbox_skip

    invitation = _lock_open(invitation)
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = actor
    invitation.save(update_fields=["status", "revoked_at", "revoked_by"])
    waiting = invitation.emails.filter(status="pending").values_list("pk", flat=True)
    outbox_skip(outbox_ids=list(waiting), note="The invitation was revoked.")
    history_record(obj=invitation, actor=actor, message="Revoked.")
    return invitation
