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
    ACCOUNT = "account", _("Account (verification, password reset)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
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
