"""The models of delegates, one module per aggregate; all hang off ``Registration``."""

from .checkin import CheckIn, CheckInList, CheckInScan, RetiredCheckinToken
from .invitation import Invitation, invitation_token_hash, invitation_token_new
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
from .staff_email import StaffEmail

__all__ = [
    "REFERENCE_ALPHABET",
    "ApprovalDigest",
    "CheckIn",
    "CheckInList",
    "CheckInScan",
    "DelegateCategory",
    "EmailOutbox",
    "Invitation",
    "PrintJob",
    "PrintJobItem",
    "Registration",
    "RetiredCheckinToken",
    "SessionSignup",
    "StaffEmail",
    "StaffForumAccess",
    "StatusChange",
    "invitation_token_hash",
    "invitation_token_new",
    "new_reference",
]
