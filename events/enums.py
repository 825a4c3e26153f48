from django.db import models
from django.utils.translation import gettext_lazy as _


class ForumStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Off")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    PANEL = "panel", _("Panel")
    WORKSHOP = "workshop", _("Workshop")
    SIDE_EVENT = "side_event", _("Side event")
    SITE_VISIT = "site_visit", _("Site visit")
    RECEPTION = "reception", _("Reception")
    BREAK = "break", _("Break")


class SpeakerRole(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    SPEAKER = "speaker", _("Speaker")
    PANELLIST = "panellist", _("Panellist")
    MODERATOR = "moderator", _("Moderator")


class BadgeLayout(models.TextChoices):
    A6 = "a6", _("A6 portrait (standard badge holders)")
    CR80 = "cr80", _("CR80 card, 85.6 × 54 mm (card printers)")
    A4_SHEET = "a4_sheet", _("A4 sheet of four A6 badges with crop marks (office printers)")
