"""Delegate categories in the admin: capacity, approval, protocol rank, badge colour, the
head-of-local-government default, with the seats taken so far. Saving goes through
``category_update``: places added go to the waitlist at once, and staff are told who got one."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..enums import RegistrationStatus
from ..models import DelegateCategory
from .admin_capacity import busy, report_promotions
from .capacity import category_update
from .seats import RegistrationBusy


class DelegateCategoryForm(forms.ModelForm):
    class Meta:
        model = DelegateCategory
        fields = (
            "forum",
            "name",
            "slug",
            "capacity",
            "requires_approval",
            "protocol_rank",
            "badge_colour",
            "is_public",
            "by_invitation",
            "heads_of_local_government",
        )
        widgets = {"badge_colour": forms.TextInput(attrs={"type": "color"})}


@admin.register(DelegateCategory)
class DelegateCategoryAdmin(admin.ModelAdmin):
    form = DelegateCategoryForm
    list_display = (
        "name",
        "forum",
        "capacity",
        "confirmed_count",
        "requires_approval",
        "protocol_rank",
        "badge_swatch",
        "is_public",
        "by_invitation",
        "heads_of_local_government",
    )
    list_filter = ("forum", "requires_approval", "is_public", "by_invitation", "heads_of_local_government")
    list_select_related = ("forum",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("-forum__start_date", "protocol_rank", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DelegateCategory]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
                )
            )
        )

    def save_model(
        self, request: HttpRequest, obj: DelegateCategory, form: forms.ModelForm, change: bool
    ) -> None:
        report_promotions(self, request, category_update(category=obj))

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RegistrationBusy:
            return busy(self, request)

    def get_readonly_fields(self, request: HttpRequest, obj: DelegateCategory | None = None):
        # Moving a category to another forum would leave its registrations in two forums at once.
        return ("forum",) if obj is not None else ()

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed_count(self, obj: DelegateCategory) -> int:
        return obj.confirmed_count

    @admin.display(description=_("badge colour"), ordering="badge_colour")
    def badge_swatch(self, obj: DelegateCategory) -> str:
        # A presentation attribute (fill), not a style: allowed by the Content-Security-Policy. The
        # database guarantees a #rrggbb colour (the category's check constraint).
        return format_html(
            '<svg class="badge-swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"'
            ' focusable="false"><rect width="16" height="16" rx="3" fill="{}" stroke="#555"/></svg> {}',
            obj.badge_colour,
            obj.badge_colour,
        )
