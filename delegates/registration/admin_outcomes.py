"""What a batch action on registrations did, said in one message per batch ("12 approved, 3
waitlisted because the category is full"), and the reject and cancel operations the admin offers."""

from collections import defaultdict
from collections.abc import Callable

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import Registration
from .services import registration_cancel, registration_reject

# Outcomes that make the message a warning: something selected was left as it was.
TROUBLE = ("skipped", "busy", "full", "forum_full", "already", "waiting", "no_email")

# A message names at most this many registrations per outcome.
MAX_REFERENCES_SHOWN = 10


class Outcome:
    """Per-row results of a batch of status changes, reported in one message."""

    def __init__(self) -> None:
        self.rows: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, registration: Registration) -> None:
        self.rows[key].append(registration.reference)

    def report(
        self, request: HttpRequest, model_admin: admin.ModelAdmin, labels: dict[str, Callable]
    ) -> None:
        parts = []
        for key, label in labels.items():
            references = self.rows.get(key)
            if references:
                shown = ", ".join(references[:MAX_REFERENCES_SHOWN])
                if len(references) > MAX_REFERENCES_SHOWN:
                    shown += ", …"
                parts.append(label(len(references), shown))
        if not parts:
            model_admin.message_user(request, gettext("No registration was changed."), messages.WARNING)
            return
        trouble = any(self.rows.get(key) for key in TROUBLE)
        model_admin.message_user(
            request, "; ".join(parts) + ".", messages.WARNING if trouble else messages.SUCCESS
        )


def approved(n: int, refs: str) -> str:
    return ngettext("%(count)d approved (%(refs)s)", "%(count)d approved (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


def waitlisted(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d waitlisted because the forum or its category is full (%(refs)s)",
        "%(count)d waitlisted because the forum or its category is full (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def skipped_not_pending(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: not pending (%(refs)s)", "%(count)d skipped: not pending (%(refs)s)", n
    ) % {"count": n, "refs": refs}


def skipped_inactive(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: no longer active (%(refs)s)", "%(count)d skipped: no longer active (%(refs)s)", n
    ) % {"count": n, "refs": refs}


def busy(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d not changed because seats are being counted right now, please try again (%(refs)s)",
        "%(count)d not changed because seats are being counted right now, please try again (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def rejected(n: int, refs: str) -> str:
    return ngettext("%(count)d rejected (%(refs)s)", "%(count)d rejected (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


def cancelled(n: int, refs: str) -> str:
    return ngettext("%(count)d cancelled (%(refs)s)", "%(count)d cancelled (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


# What reject and cancel need: the service, and how to report its outcome.
LEAVE_OPERATIONS = {
    "reject": {
        "service": registration_reject,
        "action": "reject_selected",
        "done": "rejected",
        "title": _("Reject registrations"),
        "intro": _(
            "These registrations will be rejected. The reason below goes into the email each delegate "
            "receives. A seat they held goes to the first delegate on the waitlist."
        ),
        "submit": _("Reject"),
        "labels": {"rejected": rejected, "skipped": skipped_inactive, "busy": busy},
    },
    "cancel": {
        "service": registration_cancel,
        "action": "cancel_selected",
        "done": "cancelled",
        "title": _("Cancel registrations"),
        "intro": _(
            "These registrations will be cancelled. The reason below goes into the email each delegate "
            "receives. A seat they held goes to the first delegate on the waitlist."
        ),
        "submit": _("Cancel registrations"),
        "labels": {"cancelled": cancelled, "skipped": skipped_inactive, "busy": busy},
    },
}


# --- Waitlist, promotion, category, emails sent again ---------------------------------------------------


def waitlisted_by_staff(n: int, refs: str) -> str:
    return ngettext("%(count)d waitlisted (%(refs)s)", "%(count)d waitlisted (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


def promoted(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d promoted from the waitlist (%(refs)s)",
        "%(count)d promoted from the waitlist (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def not_promoted_category_full(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d still waitlisted because the category is full (%(refs)s)",
        "%(count)d still waitlisted because the category is full (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def not_promoted_forum_full(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d still waitlisted because the forum is full (%(refs)s)",
        "%(count)d still waitlisted because the forum is full (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def skipped_not_waitlisted(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: not waitlisted (%(refs)s)", "%(count)d skipped: not waitlisted (%(refs)s)", n
    ) % {"count": n, "refs": refs}


def moved_to(category: str) -> Callable[[int, str], str]:
    def label(n: int, refs: str) -> str:
        return ngettext(
            "%(count)d moved to “%(category)s” (%(refs)s)", "%(count)d moved to “%(category)s” (%(refs)s)", n
        ) % {"count": n, "category": category, "refs": refs}

    return label


def not_moved_full(category: str) -> Callable[[int, str], str]:
    def label(n: int, refs: str) -> str:
        return ngettext(
            "%(count)d not moved because “%(category)s” is full and confirmed delegates keep their seat "
            "(%(refs)s)",
            "%(count)d not moved because “%(category)s” is full and confirmed delegates keep their seat "
            "(%(refs)s)",
            n,
        ) % {"count": n, "category": category, "refs": refs}

    return label


def skipped_already_in(category: str) -> Callable[[int, str], str]:
    def label(n: int, refs: str) -> str:
        return ngettext(
            "%(count)d skipped: already in “%(category)s” (%(refs)s)",
            "%(count)d skipped: already in “%(category)s” (%(refs)s)",
            n,
        ) % {"count": n, "category": category, "refs": refs}

    return label


def resent(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d last email queued to be sent again (%(refs)s)",
        "%(count)d last emails queued to be sent again (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def skipped_resend_waiting(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: the email sent again is still waiting to go out (%(refs)s)",
        "%(count)d skipped: the emails sent again are still waiting to go out (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def skipped_no_email(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: no email sent yet (%(refs)s)",
        "%(count)d skipped: no email sent yet (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}
