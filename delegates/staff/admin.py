"""Limiting a staff member to chosen forums, in the admin."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import StaffForumAccess


@admin.register(StaffForumAccess)
class StaffForumAccessAdmin(admin.ModelAdmin):
    list_display = ("user", "forum_names")
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)
    filter_horizontal = ("forums",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffForumAccess]:
        return super().get_queryset(request).select_related("user").prefetch_related("forums")

    @admin.display(description=_("forums"))
    def forum_names(self, obj: StaffForumAccess) -> str:
        return ", ".join(forum.name for forum in obj.forums.all())
