"""A badge printed at the door: from a verdict, the door team prints that delegate's badge on the desk
printer (a lost badge after its code was reissued, a badge never collected). The badge is the stored
one (``badges.storage.badge_store``: rendered now if missing or out of date), and it counts as printed
the way every printed badge does: a finished one-badge print job (``delegates.printing``) whose item
records the fingerprint of what it printed, so "not yet printed" and "needs reprint" stay true.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..badges.content import BadgeError, badge_content, badge_fingerprint
from ..badges.printable import badge_problems
from ..badges.storage import badge_store
from ..enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from ..models import CheckInList, PrintJob, PrintJobItem, Registration
from ..printing.services import dedupe_key
from .services import normalise_reference

logger = logging.getLogger(__name__)


class BadgeUnprintable(BadgeError):
    """The badge cannot print as it is; ``problems`` says why (``badges.printable.badge_problems``)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            _("This badge cannot be printed as it is: %(problems)s. Please correct the registration first.")
            % {"problems": "; ".join(problems)}
        )


def door_badge_registration(*, checkin_list: CheckInList, reference: str) -> Registration | None:
    """The registration of ``checkin_list``'s forum with this reference (any spacing or case), loaded
    for its badge, or None."""
    return (
        Registration.objects.select_related("forum", "category")
        .filter(forum_id=checkin_list.forum_id, reference=normalise_reference(reference))
        .first()
    )


def door_badge_print(*, registration: Registration, actor: AbstractBaseUser | None) -> PrintJob:
    """Print ``registration``'s badge at the door: its stored badge (rendered if missing or out of
    date), kept as a finished one-badge print job started by ``actor`` whose item records what it
    printed (the registration then counts as printed). Returns the job; its file is the PDF. Raises
    BadgeError unless the registration is confirmed, BadgeUnprintable when the badge cannot print as
    it is (no PDF with empty boxes for letters)."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise BadgeError(_("Only a confirmed registration has a badge."))
    problems = badge_problems(badge_content(registration=registration))
    if problems:
        raise BadgeUnprintable(problems)
    badge_store(registration=registration)  # issues the check-in code if it has none
    with default_storage.open(registration.badge_file.name, "rb") as handle:
        pdf = handle.read()
    forum = registration.forum
    now = timezone.now()
    saved = ""
    try:
        with transaction.atomic():
            fingerprint = (
                Registration.objects.select_for_update()
                .filter(pk=registration.pk, status=RegistrationStatus.CONFIRMED)
                .annotate(fingerprint=badge_fingerprint())
                .values_list("fingerprint", flat=True)
                .first()
            )
            if fingerprint is None:  # cancelled a moment ago
                raise BadgeError(_("Only a confirmed registration has a badge."))
            job = PrintJob.objects.create(
                forum=forum,
                created_by=actor,
                layout=forum.badge_layout,
                order=BadgeOrder.CATEGORY_NAME,
                dedupe_key=dedupe_key(
                    forum_id=forum.pk,
                    layout=forum.badge_layout,
                    order=BadgeOrder.CATEGORY_NAME,
                    registration_ids=[registration.pk],
                ),
                status=PrintJobStatus.DONE,
                total=1,
                done=1,
                started_at=now,
                finished_at=now,
            )
            PrintJobItem.objects.create(
                job=job, registration=registration, position=1, printed_fingerprint=fingerprint
            )
            saved = default_storage.save(f"print-jobs/{job.public_id}.pdf", ContentFile(pdf))
            job.file.name = saved
            job.save(update_fields=["file"])
    except Exception:
        if saved:  # the job is gone with the transaction: so is its file
            default_storage.delete(saved)
        raise
    logger.info("badge printed at the door", extra={"print_job": job.pk, "actor": getattr(actor, "pk", None)})
    return job
