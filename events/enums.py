from django.db import models
from django.utils.translation import gettext_lazy as _


class ForumStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


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
