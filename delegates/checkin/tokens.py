"""Check-in tokens: what a badge's QR code carries. Random (192 bits), URL-safe, never derived from
an id; issued when a registration is confirmed and reissued by staff when a badge is lost (the old code
then stops working, and is kept by its SHA-256 only, so that the old badge is told apart from an
unknown code at the door)."""

import hashlib
import logging
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import background
from ..enums import RegistrationStatus
from ..models import Registration, RetiredCheckinToken, StatusChange

logger = logging.getLogger(__name__)

REASON_BADGE_REISSUED = "Check-in code reissued (lost badge): the previous badge no longer checks in."


class TokenError(Exception):
    """No token for this registration; ``str(error)`` is a translated message."""


def new_checkin_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def checkin_token_issue(*, registration: Registration) -> str:
    """Give the registration its check-in token if it has none yet, and return its token.

    Idempotent and safe against a concurrent call: a conditional UPDATE writes the token only where
    there is none, so a registration keeps the token its printed badge carries. Writes the token
    column only (call it where the registration becomes confirmed)."""
    if not registration.checkin_token:
        Registration.objects.filter(pk=registration.pk, checkin_token__isnull=True).update(
            checkin_token=new_checkin_token()
        )
        registration.checkin_token = Registration.objects.values_list("checkin_token", flat=True).get(
            pk=registration.pk
        )
    return registration.checkin_token


@transaction.atomic
def checkin_token_reissue(*, registration: Registration, actor: AbstractBaseUser | None) -> str:
    """Staff replace a lost badge: a new check-in token, so the old QR code no longer checks in.

    Takes the registration's row lock, records the reissue in its history (who and when, the status
    unchanged), keeps the old code's SHA-256 (``RetiredCheckinToken``: its scan says "reissued"), and
    renders the new badge in the background after commit (the stored badge with the
    old code is replaced). Raises TokenError unless the registration is confirmed. Returns the new
    token (``registration`` is updated too)."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.CONFIRMED:
        raise TokenError(_("Only a confirmed registration has a badge."))
    if locked.checkin_token:
        RetiredCheckinToken.objects.get_or_create(
            token_hash=hashlib.sha256(locked.checkin_token.encode()).hexdigest(),
            defaults={"registration": locked, "retired_at": timezone.now()},
        )
    locked.checkin_token = new_checkin_token()
    locked.save(update_fields=["checkin_token", "updated_at"])
    StatusChange.objects.create(
        registration=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        reason=REASON_BADGE_REISSUED,
    )
    background.enqueue_on_commit(background.RENDER_BADGE, locked.pk)
    logger.info(
        "check-in token reissued",
        extra={"registration": locked.pk, "actor": getattr(actor, "pk", None)},
    )
    registration.checkin_token = locked.checkin_token
    return locked.checkin_token
