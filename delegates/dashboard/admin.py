"""The forum's admin with its dashboard mounted beside the change page
(``admin/events/forum/<id>/dashboard/``, ``admin:events_forum_dashboard``). ``events`` knows nothing of
registrations, so the delegates app registers this subclass in place of the forum's admin, as it does
for capacity changes (``registration/admin_capacity.py``)."""

from django.contrib import admin
from django.urls import path

from events.models import Forum

from ..registration.admin_capacity import ForumAdmin as CapacityForumAdmin
from .views import dashboard_page


class ForumAdmin(CapacityForumAdmin):
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            # The view checks staff, permission and forum itself (404 / 403 rather than a redirect).
            path("<path:object_id>/dashboard/", dashboard_page, name="{}_{}_dashboard".format(*info)),
            *super().get_urls(),
        ]


admin.site.unregister(Forum)
admin.site.register(Forum, ForumAdmin)
