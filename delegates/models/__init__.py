"""The models of delegates, one module per aggregate; all hang off ``Registration``."""

from .checkin import CheckIn, CheckInList, CheckInScan, RetiredCheckinToken
from .outbox import ApprovalDigest, EmailOutbox
from .printing import PrintJob, PrintJobItem
from .registration import (
    REFERENCE_ALPHABET,
    DelegateCategory,
    Registration,
    SessionSignup,
    StatusChange,
    new_reference,
)
from .staff import StaffForumAccess

__all__ = [
    "REFERENCE_ALPHABET",
    "ApprovalDigest",
    "CheckIn",
    "CheckInList",
    "CheckInScan",
    "DelegateCategory",
    "EmailOutbox",
    "PrintJob",
    "PrintJobItem",
    "Registration",
    "RetiredCheckinToken",
    "SessionSignup",
    "StaffForumAccess",
    "StatusChange",
    "new_reference",
]
