"""Staff limited to chosen forums (a host city's officers, a partner's team). Staff without a row here
work on every forum; see ``delegates.permissions.staff_forum_ids``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Forum


class StaffForumAccess(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="forum_access",
        verbose_name=_("staff member"),
    )
    forums = models.ManyToManyField(
        Forum,
        related_name="+",
        verbose_name=_("forums"),
        help_text=_("The staff member sees and works on these forums only."),
    )

    class Meta:
        verbose_name = _("forum access of a staff member")
        verbose_name_plural = _("forum access of staff")

    def __str__(self) -> str:
        return str(self.user)
