"""Staff administration of forums and their programme.

Staff enter and read session times in the forum's own time zone: the change views of forums and sessions
run with that zone activated (template rendering included), and the time fields say which zone it is.
"""

import zoneinfo
from datetime import datetime

import phonenumbers
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import services
from .formatting import record_time
from .forms import ForumCopyForm
from .models import Forum, Room, Session, SessionSpeaker, Speaker, Track
from .validators import time_zone_choices

SESSION_TIME_FIELDS = ("starts_at", "ends_at")
FORUM_TIME_FIELDS = ("registration_opens_at", "registration_closes_at", "registration_edit_deadline")


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named time zone, or the project's default (UTC) for an unknown or missing name."""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _forum_time_zone(forum_id: object) -> str | None:
    try:
        return Forum.objects.filter(pk=forum_id).values_list("time_zone", flat=True).first()
    except (ValueError, ValidationError):  # a malformed id in the URL or the form
        return None


def _render_in_zone(zone: zoneinfo.ZoneInfo, view, *args, **kwargs) -> HttpResponse:
    """Run an admin view and render its template with ``zone`` active: a TemplateResponse renders lazily,
    after the view has returned, so the zone must still be active then."""
    with timezone.override(zone):
        response = view(*args, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            response.render()
    return response


def _set_time_help(form_class: type[forms.BaseForm], names: tuple[str, ...], *, known: bool) -> None:
    zone = timezone.get_current_timezone_name()
    text = (
        _("Times in %(time_zone)s, the forum's time zone.") % {"time_zone": zone}
        if known
        else _("Times in the forum's own time zone.")
    )
    for name in names:
        field = form_class.base_fields.get(name)
        if field is not None:
            field.help_text = format_lazy("{} {}", field.help_text, text) if field.help_text else text


def _limit_choices(form_class: type[forms.BaseForm], name: str, queryset: QuerySet) -> None:
    """Offer only ``queryset`` in the select ``name``, evaluated once: a tabular inline would otherwise
    run the query again for every row."""
    field = form_class.base_fields.get(name)
    if field is None:
        return
    field.queryset = queryset
    field.choices = list(field.choices)


class CountryInUseFilter(admin.SimpleListFilter):
    """Countries that occur in the list, by name (the stock filter would list all 249)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        codes = (  # of the rows the user may see, not of every forum
            model_admin.get_queryset(request)
            .exclude(country="")
            .values_list("country", flat=True)
            .distinct()
            .order_by()
        )
        return sorted(((code, countries.name(code) or code) for code in codes), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class ForumScopedFilter(admin.RelatedFieldListFilter):
    """Rooms or tracks labelled with their forum ("Main Hall · AMF 2022"), since names repeat."""

    def field_choices(self, field, request: HttpRequest, model_admin: admin.ModelAdmin):
        related = field.related_model._default_manager.select_related("forum").order_by(
            "-forum__start_date", "name"
        )
        return [(obj.pk, f"{obj.name} · {obj.forum.name}") for obj in related]


# --- Forum and its inlines ----------------------------------------------------------------------------


class RoomInline(admin.TabularInline):
    model = Room
    fields = ("name", "location", "capacity")
    extra = 0


class TrackInline(admin.TabularInline):
    model = Track
    fields = ("name", "slug", "order", "description")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class SessionInlineFormSet(BaseInlineFormSet):
    """Checks the rows against each other: two new or moved sessions in the same room at the same time
    are not in the database yet, so ``Session.clean`` cannot see the clash between them."""

    def clean(self) -> None:
        super().clean()
        forum = self.instance
        booked: list[tuple[Room, datetime, datetime, str]] = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            room, starts, ends = data.get("room"), data.get("starts_at"), data.get("ends_at")
            if not (starts and ends and ends > starts):
                continue
            if forum.pk is None and forum.start_date and forum.end_date and "starts_at" not in form.errors:
                # A new forum: Session.clean has no saved forum to check the dates against yet.
                days = {forum.local_date(starts), forum.local_date(ends)}
                if not all(forum.start_date <= day <= forum.end_date for day in days):
                    form.add_error(
                        "starts_at",
                        _("A session must take place within the forum's dates (%(first)s – %(last)s).")
                        % {"first": forum.start_date.isoformat(), "last": forum.end_date.isoformat()},
                    )
            if room is None or "room" in form.errors:
                continue
            clash = next(
                (b for b in booked if b[0] == room and starts < b[2] and b[1] < ends),
                None,
            )
            if clash:
                form.add_error(
                    "room",
                    ValidationError(
                        _("%(room)s is already booked for “%(title)s” at that time.")
                        % {"room": room.name, "title": clash[3]},
                        code="room_double_booked",
                    ),
                )
            else:
                booked.append((room, starts, ends, data.get("title", "")))


class SessionInline(admin.TabularInline):
    model = Session
    formset = SessionInlineFormSet
    fields = (
        "title",
        "slug",
        "kind",
        "starts_at",
        "ends_at",
        "room",
        "track",
        "requires_signup",
        "capacity",
    )
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True
    extra = 0

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(getattr(field, "widget", None), RelatedFieldWidgetWrapper):
            # Rooms and tracks are edited in their own inlines above; the icons only crowd the row.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    def get_formset(self, request: HttpRequest, obj: Forum | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = formset.form
        _set_time_help(form, SESSION_TIME_FIELDS, known=obj is not None)
        # Only this forum's rooms and tracks; on a new forum, rooms are chosen after the first save.
        _limit_choices(form, "room", Room.objects.filter(forum=obj) if obj else Room.objects.none())
        _limit_choices(form, "track", Track.objects.filter(forum=obj) if obj else Track.objects.none())
        return formset


class ForumAdminForm(forms.ModelForm):
    """The forum's form in the admin: the secretariat's phone may be typed as dialled in the forum's
    country ("021 5000 1234" for a forum in Indonesia) or with its country code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.fields.get("secretariat_phone")
        if phone is None:
            return
        country = self.data.get("country") if self.is_bound else self.instance.country
        phone.region = str(country or "").upper() or None
        if phone.region not in phonenumbers.SUPPORTED_REGIONS:
            phone.region = None
        phone.error_messages["invalid"] = _(
            "Enter a phone number with its country code (e.g. +62 21 5000 1234), or as dialled within "
            "the forum's country."
        )


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    form = ForumAdminForm
    list_display = ("name", "start_date", "end_date", "host_city", "country", "status", "session_count")
    list_filter = ("status", CountryInUseFilter, "start_date")
    search_fields = ("name", "host_city", "theme")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "start_date"
    inlines = (RoomInline, TrackInline, SessionInline)
    actions = ("copy_forum",)
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "theme", "description")}),
        (_("Place"), {"fields": ("host_city", "country", "venue_name", "venue_address", "map_url")}),
        (_("Dates"), {"fields": ("start_date", "end_date", "time_zone")}),
        (_("Registration"), {"fields": (*FORUM_TIME_FIELDS, "capacity")}),
        (_("Secretariat contact"), {"fields": ("secretariat_email", "secretariat_phone")}),
        (_("Approval digest"), {"fields": ("approval_digest", "approval_digest_recipients")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Forum]:
        # A correlated subquery rather than a join: the changelist's COUNT queries then skip it.
        sessions = (
            Session.objects.filter(forum=OuterRef("pk")).order_by().values("forum").annotate(n=Count("pk"))
        )
        return (
            super().get_queryset(request).annotate(session_count=Coalesce(Subquery(sessions.values("n")), 0))
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj: Forum) -> int:
        return obj.session_count

    def view_on_site(self, obj: Forum) -> str:
        return reverse("events:forum", kwargs={"forum_slug": obj.slug})

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "time_zone":
            return forms.TypedChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=time_zone_choices(),
                initial=db_field.default,
                help_text=_("Every time of this forum is entered and shown in this zone."),
            )
        if db_field.name == "map_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Forum | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        _set_time_help(form, FORUM_TIME_FIELDS, known=obj is not None)
        return form

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        # Times are entered as displayed: in the saved zone when editing, in the chosen one when adding.
        if object_id is not None:
            zone = _zone(_forum_time_zone(unquote(object_id)))
        else:
            zone = _zone(request.POST.get("time_zone") or Forum._meta.get_field("time_zone").default)
        return _render_in_zone(zone, super().changeform_view, request, object_id, form_url, extra_context)

    # --- Copy this forum --------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="{}_{}_copy".format(*info),
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Copy the selected forum to new dates"), permissions=["add"])
    def copy_forum(self, request: HttpRequest, queryset: QuerySet[Forum]) -> HttpResponse | None:
        forums = list(queryset[:2])
        if len(forums) != 1:
            self.message_user(request, gettext("Choose exactly one forum to copy."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:events_forum_copy", args=[forums[0].pk]))

    def copy_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask for the new name, slug and first day, then copy through ``services.forum_copy``."""
        forum = self.get_object(request, unquote(object_id))
        if forum is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_add_permission(request) and self.has_view_or_change_permission(request, forum)):
            raise PermissionDenied
        form = ForumCopyForm(
            request.POST if request.method == "POST" else None, initial=ForumCopyForm.initial_for(forum)
        )
        if form.is_valid():
            try:
                copy = services.forum_copy(forum=forum, **form.cleaned_data)
            except ValidationError as error:
                errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
                for field, field_errors in errors.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                self.log_addition(request, copy, [{"added": {}}])
                self.message_user(
                    request,
                    gettext("“%(copy)s” was created as a draft copy of “%(forum)s”.")
                    % {"copy": copy, "forum": forum},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:events_forum_change", args=[copy.pk]))
        counts = {
            "rooms": forum.rooms.count(),
            "tracks": forum.tracks.count(),
            "sessions": forum.sessions.count(),
            "roles": SessionSpeaker.objects.filter(session__forum=forum).count(),
        }
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Copy %(forum)s") % {"forum": forum},
            "subtitle": None,
            "opts": self.opts,
            "original": forum,
            "form": form,
            "has_view_permission": self.has_view_permission(request, forum),
            "counts": counts,
        }
        return TemplateResponse(request, "admin/events/forum/copy_form.html", context)


# --- Sessions, speakers, rooms, tracks ----------------------------------------------------------------


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    fields = ("speaker", "role", "order")
    autocomplete_fields = ("speaker",)
    extra = 1


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "forum", "kind", "local_start", "room", "track", "requires_signup")
    list_filter = (
        "forum",
        "kind",
        ("track", ForumScopedFilter),
        ("room", ForumScopedFilter),
        "requires_signup",
    )
    list_select_related = ("forum", "room", "track")
    search_fields = ("title", "description", "speakers__name")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (SessionSpeakerInline,)
    readonly_fields = ("calendar_uid",)
    fieldsets = (
        (None, {"fields": ("forum", "title", "slug", "kind", "description")}),
        (_("When and where"), {"fields": ("starts_at", "ends_at", "room", "track")}),
        (_("Sign-up"), {"fields": ("requires_signup", "capacity")}),
        (_("Catering"), {"fields": ("serves_food",)}),
        (_("Calendar"), {"fields": ("calendar_uid",)}),
    )

    @admin.display(description=_("calendar UID"))
    def calendar_uid(self, obj: Session) -> str:
        return str(obj.uid) if obj.pk else "–"

    @admin.display(description=_("starts"), ordering="starts_at")
    def local_start(self, obj: Session) -> str | None:
        return record_time(obj.starts_at, obj.forum)  # “Sun 6 Oct 2030, 10:30 WIB”

    def _forum_for(self, request: HttpRequest, obj: Session | None) -> Forum | None:
        if obj is not None:
            return obj.forum
        forum_id = request.POST.get("forum") or request.GET.get("forum")
        if not forum_id:
            return None
        try:
            return Forum.objects.filter(pk=forum_id).first()
        except (ValueError, ValidationError):
            return None

    def get_form(self, request: HttpRequest, obj: Session | None = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        forum = self._forum_for(request, obj)
        _set_time_help(form, SESSION_TIME_FIELDS, known=forum is not None)
        for name, model in (("room", Room), ("track", Track)):
            field = form.base_fields.get(name)
            if field is None:
                continue
            if forum is not None:
                field.queryset = model.objects.filter(forum=forum)
            else:
                field.queryset = model.objects.select_related("forum")
                field.label_from_instance = lambda o: f"{o.name} · {o.forum.name}"
        return form

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        if object_id is not None:
            forum_id = (
                Session.objects.filter(pk=unquote(object_id)).values_list("forum_id", flat=True).first()
                if unquote(object_id).isdigit()
                else None
            )
        else:
            forum_id = request.POST.get("forum") or request.GET.get("forum")
        zone = _zone(_forum_time_zone(forum_id) if forum_id else None)
        return _render_in_zone(zone, super().changeform_view, request, object_id, form_url, extra_context)


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "honorific", "position", "organisation", "city", "country")
    list_filter = (CountryInUseFilter,)
    search_fields = ("name", "organisation", "city")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("honorific", "name", "slug")}),
        (_("Role"), {"fields": ("position", "organisation", "city", "country")}),
        (_("Profile"), {"fields": ("bio", "photo")}),
    )


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "forum", "location", "capacity")
    list_filter = ("forum",)
    list_select_related = ("forum",)
    search_fields = ("name", "location")


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "forum", "order")
    list_filter = ("forum",)
    list_select_related = ("forum",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
