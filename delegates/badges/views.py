"""Badge downloads.

- ``badge_download``: the delegate's own badge, from "My registrations" and the confirmation email.
  Only the delegate and whoever registered them (``registration_get_for_user``) get it, and only once
  confirmed: anyone else, and any registration not confirmed, is a 404. A badge that cannot print as
  it is (a character no font draws, a text-direction control: ``printable.badge_problems``) is not
  rendered with empty boxes: the delegate is told what stops it and how to fix it. Mounted in
  ``delegates/urls.py``.
- ``registration_badge_download`` and ``registration_badge_preview``: staff who may view
  registrations download the stored badge, or preview it in any layout before printing. Mounted under
  the admin by ``RegistrationAdmin.get_urls``, behind ``permissions.staff_view``.

The stored badge is rendered on demand when it is missing or out of date (its content hash), so a
download never waits for the background task and never shows stale details. PDFs are personal data:
``Cache-Control: private, no-store``.
"""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from events.enums import BadgeLayout

from ..enums import RegistrationStatus
from ..models import Registration
from ..permissions import PRINT_BADGES, VIEW_REGISTRATION, staff_view
from ..registration.rules import registration_can_edit
from ..registration.selectors import registration_get_for_user
from ..staff.selectors import staff_object_or_404
from .content import BadgeError, badge_content
from .pdf import badge_pdf
from .printable import badge_problems
from .storage import badge_store


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _stored_badge(registration: Registration) -> HttpResponse:
    """The registration's stored badge as an attachment, rendered first if missing or out of date."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Http404("No badge for this registration")
    try:
        badge_store(registration=registration)
    except BadgeError:  # cancelled a moment ago
        raise Http404("No badge for this registration") from None
    response = FileResponse(
        default_storage.open(registration.badge_file.name, "rb"),
        as_attachment=True,
        filename=f"badge-{registration.reference}.pdf",
        content_type="application/pdf",
    )
    return _no_store(response)


@require_safe
@login_required
def badge_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """The delegate's badge (PDF), for them and whoever registered them, once confirmed."""
    registration = registration_get_for_user(user=request.user, public_id=public_id)
    if registration.status == RegistrationStatus.CONFIRMED:
        problems = badge_problems(badge_content(registration=registration))
        if problems:  # never a PDF with empty boxes where letters should be
            return _no_store(
                render(
                    request,
                    "delegates/badges/unprintable.html",
                    {
                        "registration": registration,
                        "problems": problems,
                        "can_edit": registration_can_edit(registration=registration),
                    },
                    status=409,
                )
            )
    return _stored_badge(registration)


def _registration(request: HttpRequest, object_id: str) -> Registration:
    queryset = Registration.objects.select_related("forum", "category")
    return staff_object_or_404(queryset, object_id, user=request.user)


@require_safe
@staff_view(VIEW_REGISTRATION, PRINT_BADGES)
def registration_badge_download(request: HttpRequest, object_id: str) -> HttpResponse:
    """Staff who print badges: the registration's stored badge (PDF, attachment); 404 unless it is
    confirmed. Its QR code checks the delegate in, so staff who do not print get 403."""
    return _stored_badge(_registration(request, object_id))


@require_safe
@staff_view(VIEW_REGISTRATION)
def registration_badge_preview(request: HttpRequest, object_id: str) -> HttpResponse:
    """Staff: the registration's badge rendered now, shown in the browser, in the layout of
    ``?layout=`` (a6, cr80, a4_sheet; the forum's own by default). Stores nothing. A registration
    that is not confirmed is shown without its QR code, and so is every badge for staff who do not
    print badges (the code is a credential at the door)."""
    registration = _registration(request, object_id)
    layout = request.GET.get("layout", "")
    if layout not in BadgeLayout.values:
        layout = registration.forum.badge_layout
    response = HttpResponse(
        badge_pdf(
            registration=registration,
            layout=layout,
            with_checkin_code=request.user.has_perm(PRINT_BADGES),
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"badge-{registration.reference}-{layout}.pdf"
    )
    return _no_store(response)
