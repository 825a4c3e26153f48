"""The one way an admin action of delegates asks for more before it acts (a reason, an order, a
layout): an intermediate page that posts the selection back to the action, as Django's own "delete
selected" does. The selection travels in the form, never in the URL: any number of rows, "select all"
across the pages of a filtered list included.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse

# The name of the submit button that says "the page was filled in: act now".
CONFIRM_FIELD = "confirm_action"


def action_confirmed(request: HttpRequest) -> bool:
    """Whether this POST comes from the intermediate page (and not from the list's action menu)."""
    return CONFIRM_FIELD in request.POST


def intermediate_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    template: str,
    title: str,
    action: str,
    context: dict,
) -> TemplateResponse:
    """Render the intermediate page of ``action``: the admin's frame, the selection as hidden fields
    (``admin/includes/action_selection.html``) and ``context``."""
    page = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": model_admin.opts,
        "action": action,
        "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "changelist_url": request.get_full_path(),
        **context,
    }
    return TemplateResponse(request, template, page)
