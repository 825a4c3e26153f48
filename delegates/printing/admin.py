"""Badge printing in the admin.

- ``PrintBadgesMixin`` goes into ``RegistrationAdmin``: the action "Print badges…" (an intermediate
  page chooses the order and the layout, then starts one print job for the selection — also "select
  all" across pages of a filtered list), the "Badge printed" column and the ``BadgePrintedFilter``.
- ``PrintJobAdmin``: the list of print jobs; a job's page is its progress page (progress bar polled
  from the JSON endpoint, then the download link; a failed job shows its message and a restart button).

Permissions: starting (and restarting) a job takes ``PRINT_BADGES``; seeing jobs and downloading
their PDF takes ``VIEW_PRINT_JOB``. Starting needs both, since the organiser is sent to the job's
page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from events.enums import BadgeLayout
from events.formatting import record_time
from events.models import Forum

from ..admin_actions import action_confirmed, intermediate_page
from ..badges.content import badge_content
from ..badges.printable import badge_problems, describe_unprintable
from ..enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from ..models import PrintJob, Registration
from ..permissions import PRINT_BADGES, VIEW_PRINT_JOB
from .selectors import (
    BadgePrintState,
    badge_print_state,
    badges_that_cannot_print,
    current_badge_printed,
    print_job_progress_text,
    printed_badge_exists,
)
from .services import PrintJobError, print_job_delete, print_job_start
from .views import print_job_download, print_job_progress, print_job_restart_view, progress_payload

# --- On the registration list --------------------------------------------------------------------------


class BadgePrintedFilter(admin.SimpleListFilter):
    """Printed: a finished print job printed the badge as it is now. Needs reprint: it printed it,
    but what the badge shows has changed since (a name edited, a new check-in code...). Not yet
    printed: confirmed, and no current printed badge — what is left to print the night before,
    reprints included."""

    title = _("badge printed")
    parameter_name = "badge_printed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return (
            ("yes", _("Yes, as it is now")),
            ("reprint", _("Needs reprint (changed since printed)")),
            ("no", _("Not yet printed, or changed since (confirmed delegates)")),
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        if self.value() == "yes":
            return queryset.filter(current_badge_printed())
        confirmed = queryset.filter(status=RegistrationStatus.CONFIRMED)
        if self.value() == "reprint":
            return confirmed.filter(printed_badge_exists()).filter(~current_badge_printed())
        if self.value() == "no":
            return confirmed.filter(~current_badge_printed())
        return queryset


class PrintBadgesForm(forms.Form):
    order = forms.ChoiceField(
        label=_("Order of the badges"),
        choices=BadgeOrder.choices,
        initial=BadgeOrder.CATEGORY_NAME,
        widget=forms.RadioSelect,
    )
    layout = forms.ChoiceField(label=_("Layout"), choices=BadgeLayout.choices, widget=forms.RadioSelect)


def print_badges_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> HttpResponse | None:
    """The "Print badges…" action: an intermediate page to choose order and layout, then
    ``print_job_start`` and off to the job's progress page."""
    forum_ids = list(queryset.order_by().values_list("forum_id", flat=True).distinct()[:2])
    if len(forum_ids) != 1:
        model_admin.message_user(
            request,
            gettext("Please select registrations of one forum at a time (filter the list by forum)."),
            messages.WARNING,
        )
        return None
    forum = Forum.objects.get(pk=forum_ids[0])
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    counts = queryset.order_by().aggregate(
        selected=Count("pk"),
        confirmed=Count("pk", filter=confirmed),
        printed=Count("pk", filter=confirmed & Q(current_badge_printed())),
        changed=Count("pk", filter=confirmed & Q(printed_badge_exists()) & ~Q(current_badge_printed())),
    )
    if not counts["confirmed"]:
        model_admin.message_user(
            request,
            gettext("None of the selected registrations is confirmed: only confirmed delegates get a badge."),
            messages.WARNING,
        )
        return None
    left_out = badges_that_cannot_print(
        queryset.filter(confirmed).select_related("forum", "category").order_by("reference")
    )
    if action_confirmed(request):
        form = PrintBadgesForm(request.POST)
        if form.is_valid():
            try:
                job = print_job_start(
                    forum=forum,
                    registrations=queryset,
                    order=form.cleaned_data["order"],
                    layout=form.cleaned_data["layout"],
                    actor=request.user,
                )
            except PrintJobError as error:
                model_admin.message_user(request, str(error), messages.ERROR)
                return None
            if job.left_out:
                model_admin.message_user(
                    request,
                    ngettext(
                        "This badge cannot be printed as it is and was left out: %(badges)s.",
                        "These badges cannot be printed as they are and were left out: %(badges)s.",
                        len(job.left_out),
                    )
                    % {"badges": describe_unprintable(job.left_out)},
                    messages.WARNING,
                )
            if job.is_new:
                model_admin.message_user(
                    request,
                    gettext("The badges are being rendered; the PDF will be ready here."),
                    messages.SUCCESS,
                )
            else:
                model_admin.message_user(
                    request,
                    gettext("The same badges are already being printed: here is that print job."),
                    messages.INFO,
                )
            return HttpResponseRedirect(reverse("admin:delegates_printjob_change", args=[job.pk]))
    else:
        form = PrintBadgesForm(initial={"layout": forum.badge_layout})
    return intermediate_page(
        model_admin,
        request,
        template="admin/delegates/printjob/print_form.html",
        title=gettext("Print badges"),
        action="print_badges",
        context={
            "forum": forum,
            "counts": counts,
            "skipped": counts["selected"] - counts["confirmed"],
            "left_out": left_out,
            "printing": counts["confirmed"] - len(left_out),
            "form": form,
        },
    )


class PrintBadgesMixin:
    """For ``RegistrationAdmin``: add ``"print_badges"`` to its ``actions``, ``"badge_printed"`` to its
    ``list_display`` and ``BadgePrintedFilter`` to its ``list_filter``."""

    def has_print_badges_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PRINT_BADGES) and request.user.has_perm(VIEW_PRINT_JOB)

    @admin.action(description=_("Print badges of the selected registrations…"), permissions=["print_badges"])
    def print_badges(self, request: HttpRequest, queryset: QuerySet[Registration]):
        return print_badges_action(self, request, queryset)

    @admin.display(description=_("badge"), ordering=badge_print_state())
    def badge_printed(self, obj: Registration) -> str:
        """Printed, needs reprint, not yet printed — or cannot print, and why (the badge's content is
        checked from the row and its forum and category: select them with the list). The state is
        read for the page's rows (``registration.admin_page``)."""
        state = getattr(obj, "badge_state", None) or BadgePrintState.NOT_PRINTED
        confirmed = obj.status == RegistrationStatus.CONFIRMED
        if not confirmed and state == BadgePrintState.NOT_PRINTED:
            return self.get_empty_value_display()  # no badge to print
        problems = badge_problems(badge_content(registration=obj)) if confirmed else []
        if problems:
            text = gettext("Cannot print: %(problems)s") % {"problems": "; ".join(problems)}
            return format_html('<span class="badge-state badge-state--cannot-print">{}</span>', text)
        return format_html(
            '<span class="badge-state badge-state--{}">{}</span>', state, BadgePrintState(state).label
        )


# --- Print jobs ----------------------------------------------------------------------------------------


@admin.register(PrintJob)
class PrintJobAdmin(admin.ModelAdmin):
    """Jobs are started from the registration list (never added here); a job's page shows its
    progress. Finished and failed jobs can be deleted together with their PDF."""

    list_display = (
        "started",
        "forum",
        "status",
        "progress",
        "order",
        "layout",
        "created_by",
        "finished",
    )
    list_display_links = ("started",)
    list_filter = ("status", "forum")
    list_select_related = ("forum", "created_by")
    date_hierarchy = None
    list_per_page = 50

    @admin.display(description=_("progress"))
    def progress(self, obj: PrintJob) -> str:
        return print_job_progress_text(job=obj)

    # Times in the forum's zone, labelled ("Sat 1 Jun 2030, 21:40 WIB").

    @admin.display(description=_("started at"), ordering="created_at")
    def started(self, obj: PrintJob) -> str | None:
        return record_time(obj.created_at, obj.forum)

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished(self, obj: PrintJob) -> str | None:
        return record_time(obj.finished_at, obj.forum)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PrintJob | None = None) -> bool:
        return False  # nothing to edit: the services move a job from state to state

    def has_delete_permission(self, request: HttpRequest, obj: PrintJob | None = None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or obj.status not in (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)

    def delete_model(self, request: HttpRequest, obj: PrintJob) -> None:
        print_job_delete(job=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PrintJob]) -> None:
        kept = 0
        for job in queryset:
            try:
                print_job_delete(job=job)
            except PrintJobError:
                kept += 1
        if kept:
            self.message_user(
                request, gettext("Print jobs still running were not deleted."), messages.WARNING
            )

    def get_urls(self):
        return [
            path("<path:object_id>/progress.json", print_job_progress, name="delegates_printjob_progress"),
            path("<path:object_id>/download/", print_job_download, name="delegates_printjob_download"),
            path("<path:object_id>/restart/", print_job_restart_view, name="delegates_printjob_restart"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        """The progress page (there is nothing to edit, so nothing to post)."""
        job = self.get_object(request, unquote(object_id))
        if job is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        payload = progress_payload(job)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Badge print job"),
            "subtitle": str(job.forum),
            "opts": self.opts,
            "original": job,
            "job": job,
            "progress": payload,
            "can_start": request.user.has_perm(PRINT_BADGES),
            "is_popup": False,
            "has_delete_permission": self.has_delete_permission(request, job),
            "can_restart": payload["can_restart"],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/delegates/printjob/progress.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrintJob]:
        return super().get_queryset(request).select_related("forum", "created_by")
