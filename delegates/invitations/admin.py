"""Invitations in the admin: the list (status, filters, search), one invitation added by hand, the
import of a CSV or XLSX list (``import/``, with its templates to download), and the bulk actions
"send again" and "revoke", each confirmed on an intermediate page. Everything goes through
``services.py``; the list and every URL are narrowed to the staff member's forums (``staff_scope``,
applied by ``staff.admin_roles``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from events.admin import ForumScopedFilter
from events.formatting import record_time
from events.models import Forum

from ..admin_actions import action_confirmed, intermediate_page
from ..models import DelegateCategory, Invitation
from ..registration.fields import CountryChoiceField
from ..staff.selectors import staff_forum_filter
from . import imports
from .samples import template_response
from .services import (
    InvitationError,
    Invitee,
    invitation_create,
    invitation_import,
    invitation_resend,
    invitation_revoke,
)

CONFIRM_TEMPLATE = "admin/delegates/invitation/bulk_confirm_form.html"
IMPORT_TEMPLATE = "admin/delegates/invitation/import_form.html"


class InvitationAddForm(forms.ModelForm):
    country = CountryChoiceField(label=_("Country"), required=False)

    class Meta:
        model = Invitation
        fields = ("forum", "category", "name", "position", "city", "country", "email")
        help_texts = {
            "category": _("One of the forum's categories that are by invitation only."),
            "email": _("The personal link to the registration form is sent to this address."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].queryset = DelegateCategory.objects.filter(
                by_invitation=True
            ).select_related("forum")
            self.fields["category"].label_from_instance = lambda c: f"{c.name} ({c.forum.name})"

    def clean(self):
        data = super().clean()
        forum, category = data.get("forum"), data.get("category")
        if forum and category and category.forum_id != forum.pk:
            self.add_error("category", _("Choose a category of the forum chosen above."))
        return data


class ImportForm(forms.Form):
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none())
    file = forms.FileField(
        label=_("List of invitees"),
        help_text=_(
            "A CSV (UTF-8) or XLSX file of at most 2 MiB and 5,000 invitees, as the templates below."
        ),
        error_messages={
            "required": _("Choose the file of the list to import."),
            "empty": _("The file is empty: its first row must name the columns."),
        },
    )

    def __init__(self, *args, forums: QuerySet[Forum], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = forums


class InvitedCategoryFilter(ForumScopedFilter):
    """The categories an invitation can be for: those by invitation only."""

    def field_choices(self, field, request: HttpRequest, model_admin: admin.ModelAdmin):
        invited = set(DelegateCategory.objects.filter(by_invitation=True).values_list("pk", flat=True))
        return [
            (pk, label) for pk, label in super().field_choices(field, request, model_admin) if pk in invited
        ]


def _sent(n: int) -> str:
    return ngettext(
        "%(count)d invitation sent again with a new link",
        "%(count)d invitations sent again with a new link",
        n,
    ) % {"count": n}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationAddForm
    list_display = ("name", "email", "category", "status", "times_sent", "sent", "registration")
    list_filter = ("status", "forum", ("category", InvitedCategoryFilter))
    search_fields = ("name", "email", "city", "position")
    list_select_related = ("forum", "category", "registration")
    list_per_page = 50
    actions = ("resend_selected", "revoke_selected")
    readonly_fields = (
        "status",
        "times_sent",
        "created_by",
        "created",
        "sent",
        "revoked",
        "revoked_by",
        "used",
        "registration",
    )

    def get_fields(self, request: HttpRequest, obj: Invitation | None = None):
        if obj is None:
            return InvitationAddForm.Meta.fields
        return (*InvitationAddForm.Meta.fields, *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None):
        if obj is None:
            return ()
        return (*InvitationAddForm.Meta.fields, *self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False  # revoke instead: the record of who was invited stays

    @admin.display(description=_("last sent at"), ordering="sent_at")
    def sent(self, obj: Invitation) -> str | None:
        return record_time(obj.sent_at, obj.forum) if obj.sent_at else None

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj: Invitation) -> str | None:
        return record_time(obj.created_at, obj.forum)

    @admin.display(description=_("revoked at"))
    def revoked(self, obj: Invitation) -> str | None:
        return record_time(obj.revoked_at, obj.forum) if obj.revoked_at else None

    @admin.display(description=_("used at"))
    def used(self, obj: Invitation) -> str | None:
        return record_time(obj.used_at, obj.forum) if obj.used_at else None

    # --- Adding one: through the service (link, email, the rules on duplicates) -------------------

    def save_model(self, request: HttpRequest, obj: Invitation, form: forms.ModelForm, change: bool) -> None:
        if change:
            return  # nothing of an invitation is edited; actions change its status
        data = form.cleaned_data
        created = invitation_create(
            forum=data["forum"],
            invitee=Invitee(
                category=data["category"],
                name=data["name"],
                email=data["email"],
                position=data.get("position", ""),
                city=data.get("city", ""),
                country=data.get("country") or "",
            ),
            actor=request.user,
        )
        obj.pk = created.pk

    def log_addition(self, request, obj, message):
        return None  # the service wrote the history entry

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except InvitationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    # --- Bulk actions -----------------------------------------------------------------------------

    def _confirm(self, request, invitations, *, action, title, intro, submit):
        return intermediate_page(
            self,
            request,
            template=CONFIRM_TEMPLATE,
            title=title,
            action=action,
            context={"intro": intro, "submit_label": submit, "invitations": invitations},
        )

    def _report(self, request, done: str, skipped: list[Invitation]) -> None:
        if done:
            self.message_user(request, done, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                gettext("Skipped (used or revoked already): %(names)s.")
                % {"names": ", ".join(invitation.email for invitation in skipped[:10])},
                messages.WARNING,
            )

    @admin.action(description=_("Send selected invitations again (new link)…"), permissions=["change"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[Invitation]):
        invitations = list(queryset.select_related("forum", "category").order_by("id"))
        if not action_confirmed(request):
            return self._confirm(
                request,
                invitations,
                action="resend_selected",
                title=gettext("Send invitations again"),
                intro=gettext(
                    "Each invitee receives a new email with a new personal link; the link they had stops "
                    "working. Used and revoked invitations are skipped."
                ),
                submit=gettext("Send again"),
            )
        count, skipped = 0, []
        for invitation in invitations:
            try:
                invitation_resend(invitation=invitation, actor=request.user)
            except InvitationError:
                skipped.append(invitation)
            else:
                count += 1
        self._report(request, _sent(count) + "." if count else "", skipped)
        return None

    @admin.action(description=_("Revoke selected invitations…"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Invitation]):
        invitations = list(queryset.select_related("forum", "category").order_by("id"))
        if not action_confirmed(request):
            return self._confirm(
                request,
                invitations,
                action="revoke_selected",
                title=gettext("Revoke invitations"),
                intro=gettext(
                    "The personal links of these invitations stop working: whoever opens one is told the "
                    "invitation was withdrawn and given the secretariat's address. Nobody is emailed. Used "
                    "and revoked invitations are skipped."
                ),
                submit=gettext("Revoke"),
            )
        count, skipped = 0, []
        for invitation in invitations:
            try:
                invitation_revoke(invitation=invitation, actor=request.user)
            except InvitationError:
                skipped.append(invitation)
            else:
                count += 1
        done = ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count) % {
            "count": count
        }
        self._report(request, done if count else "", skipped)
        return None

    # --- Import -----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="delegates_invitation_import"),
            path(
                "import/template.csv",
                view(self.template_view),
                {"file_format": "csv"},
                name="delegates_invitation_template_csv",
            ),
            path(
                "import/template.xlsx",
                view(self.template_view),
                {"file_format": "xlsx"},
                name="delegates_invitation_template_xlsx",
            ),
            *super().get_urls(),
        ]

    def _forums(self, request: HttpRequest) -> QuerySet[Forum]:
        return staff_forum_filter(Forum.objects.order_by("-start_date"), request.user, field="pk")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        forums = self._forums(request)
        errors: list[imports.RowError] = []
        file_error = ""
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, forums=forums)
            if form.is_valid():
                forum, upload = form.cleaned_data["forum"], form.cleaned_data["file"]
                try:
                    if upload.size > imports.MAX_FILE_BYTES:
                        raise imports.ImportFileError(
                            gettext("The file is larger than 2 MiB: split the list into smaller files.")
                        )
                    rows = imports.read_rows(name=upload.name, data=upload.read())
                    invitees, errors = imports.rows_check(forum=forum, rows=rows)
                    if not errors:
                        created = invitation_import(forum=forum, invitees=invitees, actor=request.user)
                        self.message_user(
                            request,
                            ngettext(
                                "%(count)d person invited to %(forum)s: their email is on its way.",
                                "%(count)d people invited to %(forum)s: their emails are on their way.",
                                len(created),
                            )
                            % {"count": len(created), "forum": forum.name},
                            messages.SUCCESS,
                        )
                        changelist = reverse("admin:delegates_invitation_changelist")
                        return HttpResponseRedirect(f"{changelist}?forum__id__exact={forum.pk}")
                except (imports.ImportFileError, InvitationError) as error:
                    file_error = str(error)
        else:
            initial = {}
            if (first := forums.first()) is not None:
                initial["forum"] = first.pk
            form = ImportForm(initial=initial, forums=forums)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import invitations"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "errors": errors,
            "error_rows": len({error.row for error in errors}),
            "file_error": file_error,
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED,
            "changelist_url": reverse("admin:delegates_invitation_changelist"),
        }
        return TemplateResponse(request, IMPORT_TEMPLATE, context)

    def template_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return template_response(file_format, forums=self._forums(request))
