"""The delegate's stored badge: rendered in its forum's layout and kept in Django's default storage
under an unguessable name, with the hash of everything printed on it. An unchanged badge is not
rendered again; a changed one replaces the old file."""

import functools
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from .. import background
from ..checkin.tokens import checkin_token_issue
from ..enums import RegistrationStatus
from ..models import Registration
from .content import BadgeError, badge_content, badge_hash
from .pdf import badges_pdf

logger = logging.getLogger(__name__)


def badge_file_name(*, registration: Registration, digest: str) -> str:
    """Unguessable: the public id and part of the content hash, which covers the secret token."""
    return f"badges/{registration.forum.slug}/{registration.public_id}-{digest[:12]}.pdf"


def _is_current(registration: Registration, digest: str) -> bool:
    name = registration.badge_file.name if registration.badge_file else ""
    return bool(name) and registration.badge_hash == digest and default_storage.exists(name)


def badge_needs_render(*, registration: Registration) -> bool:
    """Whether the stored badge is missing or shows something else than the badge would now."""
    layout = registration.forum.badge_layout
    digest = badge_hash(content=badge_content(registration=registration), layout=layout)
    return not _is_current(registration, digest)


def badge_store(*, registration: Registration) -> bool:
    """Render the badge of a confirmed registration in its forum's layout and store it, unless the
    stored badge is current (same content hash and the file is there). Returns True if it rendered.

    Issues the check-in token if the registration has none. Takes the registration's row lock while it
    renders and saves (two workers never store two files for one badge); the new file replaces the
    old one, which is deleted after commit. ``registration`` is updated (badge_file, badge_hash).
    Raises BadgeError unless the registration is confirmed."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise BadgeError(_("Only a confirmed registration has a badge."))
    checkin_token_issue(registration=registration)
    if not badge_needs_render(registration=registration):
        return False
    storage = default_storage
    saved = ""
    try:
        with transaction.atomic():
            fresh = (
                Registration.objects.select_for_update(of=("self",))
                .select_related("forum", "category")
                .get(pk=registration.pk)
            )
            if fresh.status != RegistrationStatus.CONFIRMED:
                raise BadgeError(_("Only a confirmed registration has a badge."))
            layout = fresh.forum.badge_layout
            digest = badge_hash(content=badge_content(registration=fresh), layout=layout)
            stored = not _is_current(fresh, digest)  # False: another worker stored it while we waited
            if stored:
                pdf = badges_pdf(registrations=[fresh], layout=layout)
                name = badge_file_name(registration=fresh, digest=digest)
                if storage.exists(name):  # left by a run that failed: replace it, never "<name>_x7Gq.pdf"
                    storage.delete(name)
                saved = storage.save(name, ContentFile(pdf))
                old = fresh.badge_file.name
                Registration.objects.filter(pk=fresh.pk).update(badge_file=saved, badge_hash=digest)
                fresh.badge_file.name, fresh.badge_hash = saved, digest
                if old and old != saved:
                    transaction.on_commit(functools.partial(_delete_quietly, storage, old), robust=True)
                logger.info("badge stored", extra={"registration": fresh.pk, "layout": layout})
    except Exception:
        if saved:  # the row still names the old file: do not leave the new one behind
            _delete_quietly(storage, saved)
        raise
    registration.badge_file.name, registration.badge_hash = fresh.badge_file.name, fresh.badge_hash
    registration.checkin_token = fresh.checkin_token
    return stored


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file gone already or a storage hiccup (OSError, S3 errors): an orphan at worst
        logger.warning("badge file not deleted", extra={"file": name})


def badge_issue(*, registration: Registration) -> None:
    """A registration has just been confirmed: give it its check-in token (if it has none) and
    render its badge in the background once the transaction commits."""
    checkin_token_issue(registration=registration)
    badge_render_on_commit(registration_id=registration.pk)


def badge_render_on_commit(*, registration_id: int) -> None:
    """Render and store the registration's badge in the background once the transaction commits. With
    the broker down the badge is rendered when the delegate downloads it, or by the print job."""
    background.enqueue_on_commit(
        background.RENDER_BADGE,
        registration_id,
        fallback=f"badge of registration {registration_id} rendered on demand",
    )
