from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that still take part in the forum (and may be edited by the delegate).
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    # The registration left the forum (cancelled or rejected): the sign-up is kept as a record of what
    # was chosen, and holds no seat and no waitlist place.
    RELEASED = "released", _("Released")


class SignupState(models.TextChoices):
    """What a sign-up means for the delegate, as pages and emails say it: its status read together with
    the registration's (a sign-up waits for a place either because the session is full or because the
    registration is not confirmed yet)."""

    CONFIRMED = "confirmed", _("Place confirmed")
    SESSION_FULL = "session_full", _("On the waitlist: the session is full")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for registration approval")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for registration confirmation")
    RELEASED = "released", _("Released")


class NameOrder(models.TextChoices):
    """How a person's name is written: given name first (Maria Santos) or family name first (Nguyễn Văn
    An, Chan Sopheaktra, 陈美玲)."""

    GIVEN_FIRST = "given_first", _("Given name first")
    FAMILY_FIRST = "family_first", _("Family name first")


class Dietary(models.TextChoices):
    NONE = "none", _("No special requirement")
    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    HALAL = "halal", _("Halal")
    OTHER = "other", _("Other (please give details)")


class NativeScript(models.TextChoices):
    """Language tag of the name in native script: sets `lang` so that the right font and shaping apply."""

    THAI = "th", _("Thai")
    KHMER = "km", _("Khmer")
    LAO = "lo", _("Lao")
    BURMESE = "my", _("Burmese")
    VIETNAMESE = "vi", _("Vietnamese")
    CHINESE_SIMPLIFIED = "zh-Hans", _("Chinese (simplified)")
    CHINESE_TRADITIONAL = "zh-Hant", _("Chinese (traditional)")
    TAMIL = "ta", _("Tamil")
    JAWI = "ms-Arab", _("Malay (Jawi)")
    ARABIC = "ar", _("Arabic")
    JAPANESE = "ja", _("Japanese")
    KOREAN = "ko", _("Korean")
    OTHER = "und", _("Other")


class EmailKind(models.TextChoices):
    RECEIVED = "received", _("Registration received, pending approval")
    CONFIRMED = "confirmed", _("Registration confirmed")
    WAITLISTED = "waitlisted", _("Registration waitlisted")
    PROMOTED = "promoted", _("Promoted from the waitlist")
    REJECTED = "rejected", _("Registration rejected")
    CANCELLED = "cancelled", _("Registration cancelled")
    CHANGED = "changed", _("Registration details changed")
    # To an address already registered, when another account submitted the form for it: the form
    # neither confirms nor denies the registration to that account (``registration_attempt_notify``).
    ATTEMPT = "attempt", _("Registration attempted for an address already registered")
    ACCOUNT = "account", _("Account (verification, password reset)")
    # To staff: the registrations of a forum waiting for approval (``mail.digest``).
    DIGEST = "digest", _("Registrations waiting for approval (to staff)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Handed to the mail relay by a worker now (``sending_until`` says until when the attempt is its).
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Written but deliberately never sent (the demo data's fictional delegates); the note says why.
    SKIPPED = "skipped", _("Not sent")


class BadgeOrder(models.TextChoices):
    CATEGORY_NAME = "category_name", _("Category, then name")
    COUNTRY_CITY_NAME = "country_city_name", _("Country, then city, then name")
    PROTOCOL = "protocol", _("Protocol order (category rank, heads of local government first)")


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Print jobs still to finish: one per selection at a time.
ACTIVE_PRINT_JOB_STATUSES = (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)


class CheckInListKind(models.TextChoices):
    DAY = "day", _("Entry of a forum day")
    SESSION = "session", _("Session with sign-up or its own capacity")
    CUSTOM = "custom", _("Other (added by staff)")


class CheckInVerdict(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in")
    ALREADY = "already", _("Already checked in")
    REFUSED = "refused", _("Refused")


class CheckInRefusal(models.TextChoices):
    """Why a badge does not check in (the red verdict)."""

    CANCELLED = "cancelled", _("Cancelled registration")
    REJECTED = "rejected", _("Registration not accepted")
    WAITLISTED = "waitlisted", _("On the waitlist, not confirmed")
    PENDING = "pending", _("Pending approval, not confirmed")
    NOT_ON_LIST = "not_on_list", _("Not on this list")
    OTHER_FORUM = "other_forum", _("Badge of another forum")
    UNKNOWN = "unknown", _("Unknown code")
    REISSUED = "reissued", _("Old badge: the code was reissued")
