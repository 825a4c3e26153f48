"""The export page (under the admin, ``admin:delegates_registration_export``) and the "Export the
selection…" action of the registration list.

Behind ``export_registrations``; only the forums the staff member works on (``staff.selectors``);
contact details (``staff.contact``) only with ``view_contact_details``. What is exported is logged
without any personal data: who, which export, which forum.
"""

import logging

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from events.models import Forum

from ..admin_actions import action_confirmed, intermediate_page
from ..models import Registration
from ..permissions import EXPORT_REGISTRATIONS, staff_view
from ..staff.contact import may_see_contact_details
from ..staff.selectors import staff_forum_filter
from . import tables
from .forms import ColumnsForm, ExportForm
from .writers import export_response

logger = logging.getLogger(__name__)


def _table(data: dict, *, contact: bool) -> tables.Table:
    forum = data["forum"]
    kind = data["kind"]
    if kind == "catering":
        return tables.catering(forum, contact=contact)
    if kind == "rooming":
        return tables.rooming_list(forum, contact=contact)
    if kind == "transfers":
        return tables.transfer_manifest(forum, contact=contact)
    if kind == "visa_letters":
        return tables.visa_letters(forum, contact=contact)
    if kind == "roster":
        return tables.session_roster(data["session"], contact=contact)
    if kind == "attendance":
        return tables.attendance(data["checkin_list"], contact=contact)
    return tables.delegate_list(
        tables.forum_registrations(forum, statuses=data["statuses"]),
        columns=data["columns"],
        contact=contact,
        filename=f"delegates-{forum.slug}",
    )


@staff_view(EXPORT_REGISTRATIONS)
def export_page(request: HttpRequest) -> HttpResponse:
    contact = may_see_contact_details(request.user)
    forums = staff_forum_filter(Forum.objects.order_by("-start_date"), request.user, field="pk")
    if request.method == "POST":
        form = ExportForm(request.POST, forums=forums, contact=contact)
        if form.is_valid():
            data = form.cleaned_data
            logger.info(
                "export",
                extra={"staff_id": request.user.pk, "export": data["kind"], "forum_id": data["forum"].pk},
            )
            return export_response(_table(data, contact=contact), data["file_format"])
    else:
        initial = {}
        forum_id = request.GET.get("forum", "")
        if forum_id.isdigit() and forums.filter(pk=forum_id).exists():
            initial["forum"] = forum_id
        elif (first := forums.first()) is not None:
            initial["forum"] = first.pk
        form = ExportForm(initial=initial, forums=forums, contact=contact)
    context = {
        **admin.site.each_context(request),
        "title": _("Export registrations"),
        "subtitle": None,
        "opts": Registration._meta,
        "form": form,
        "contact": contact,
        "changelist_url": "../",
    }
    return TemplateResponse(request, "admin/delegates/registration/export_form.html", context)


def export_selected_action(model_admin, request: HttpRequest, queryset: QuerySet[Registration]):
    """The "Export the selection…" action: columns and format on an intermediate page, then the
    delegate list of exactly the selected registrations."""
    if not request.user.has_perm(EXPORT_REGISTRATIONS):
        model_admin.message_user(request, _("You may not export registrations."), level="error")
        return None
    contact = may_see_contact_details(request.user)
    form = ColumnsForm(request.POST if action_confirmed(request) else None, contact=contact)
    if form.is_valid():
        data = form.cleaned_data
        logger.info("export", extra={"staff_id": request.user.pk, "export": "selection"})
        table = tables.delegate_list(
            queryset, columns=data["columns"], contact=contact, filename="delegates-selection"
        )
        return export_response(table, data["file_format"])
    return intermediate_page(
        model_admin,
        request,
        template="admin/delegates/registration/export_selection_form.html",
        title=_("Export the selection"),
        action="export_selected",
        context={"form": form, "count": queryset.count(), "submit_label": _("Export")},
    )
