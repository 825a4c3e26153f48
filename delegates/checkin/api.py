"""The endpoints of the door's check-in page (``/checkin/api/``; the contract is the page's): a list's
offline data, a scan, the sync of an offline queue, the desk's search, undo (JSON), and a delegate's
badge for the desk printer (PDF).

Every endpoint is for active staff with ``CHECK_IN`` (undo also ``UNDO_CHECKIN``) on a list of a
forum they work on: not signed in → 401, anyone else → 403, a list that does not exist → 404, always
as JSON ``{"error": "..."}`` with a message to show. Bad input is a 400 saying what is wrong, never a
500. Answers are personal data: ``Cache-Control: no-store``. POSTs need Django's CSRF header.
"""

import datetime
import functools
import json
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..badges.content import BadgeError
from ..enums import CheckInRefusal, CheckInVerdict, RegistrationStatus
from ..models import CheckIn, CheckInList
from ..permissions import CHECK_IN, PRINT_BADGES, UNDO_CHECKIN
from ..staff.selectors import staff_may_work_on
from . import selectors, services
from .badges import BadgeUnprintable, door_badge_print, door_badge_registration
from .verdicts import verdict_message

# The offline queue's "since" reaches this far back: a check-in written by a transaction that
# committed just after the previous sync read is still reported (the device merges what it knows).
SYNC_OVERLAP = datetime.timedelta(seconds=30)


class BadRequest(Exception):
    """The request cannot be read; ``str(error)`` says why (translated)."""


def json_response(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def error_response(message: str, *, status: int, **extra) -> JsonResponse:
    return json_response({"error": message, **extra}, status=status)


def needs_mfa(user) -> bool:
    """Staff without two-factor authentication, where the admin requires it, do not check in either."""
    if not settings.ADMIN_REQUIRES_MFA:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def door_gate(request: HttpRequest, *permissions: str) -> JsonResponse | None:
    """None when ``request.user`` may use the check-in endpoints with ``permissions``, else the JSON
    answer that says why not (401 to sign in, 403 otherwise)."""
    user = request.user
    if not user.is_authenticated:
        login = redirect_to_login(request.get_full_path(), reverse("account_login"))
        return error_response(_("Please sign in again."), status=401, login_url=login["Location"])
    if not (user.is_active and user.is_staff) or not all(user.has_perm(p) for p in (CHECK_IN, *permissions)):
        return error_response(_("Your account may not do this at the door."), status=403)
    if needs_mfa(user):
        return error_response(
            _("Please set up two-factor authentication first."),
            status=403,
            mfa_url=reverse("mfa_activate_totp"),
        )
    return None


def door_api(*permissions: str) -> Callable:
    """The gate of every endpoint here (``door_gate``), and a 400 for a ``BadRequest``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refused = door_gate(request, *permissions)
            if refused is not None:
                return refused
            try:
                return view(request, *args, **kwargs)
            except BadRequest as error:
                return error_response(str(error), status=400)
            except services.CheckInError as error:
                return error_response(str(error), status=400)

        return wrapper

    return decorator


def _list_or_error(request: HttpRequest, list_id: uuid.UUID) -> CheckInList | JsonResponse:
    checkin_list = CheckInList.objects.select_related("forum", "session").filter(public_id=list_id).first()
    if checkin_list is None:
        return error_response(_("This check-in list does not exist (any more)."), status=404)
    if not staff_may_work_on(request.user, checkin_list.forum_id):
        return error_response(_("This check-in list belongs to a forum you do not work on."), status=403)
    return checkin_list


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The request could not be read (it is not JSON).")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The request could not be read (a JSON object was expected)."))
    return data


def _text(data: dict, name: str, *, limit: int = 200) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(_("“%(field)s” must be text.") % {"field": name})
    return value.strip()[:limit]


def _moment(value, name: str):
    if value in (None, ""):
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise BadRequest(_("“%(field)s” must be a date and time (ISO 8601).") % {"field": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.UTC)
    return moment


def _scan(data, position: int | None = None) -> services.Scan:
    where = "" if position is None else _(" (scan %(number)d)") % {"number": position + 1}
    if not isinstance(data, dict):
        raise BadRequest(_("Each scan must be a JSON object.") + where)
    try:
        key = uuid.UUID(str(data.get("idempotency_key", "")))
    except ValueError:
        raise BadRequest(_("Each scan needs its idempotency key (a UUID).") + where) from None
    token = data.get("token") or ""
    reference = data.get("reference") or ""
    if not isinstance(token, str) or not isinstance(reference, str):
        raise BadRequest(_("The code and the reference must be text.") + where)
    token, reference = token.strip(), reference.strip()
    if not token and not reference:
        raise BadRequest(_("A scan needs the badge's code or a reference.") + where)
    return services.Scan(
        idempotency_key=key,
        token=token[:500],
        reference=reference[:20],
        scanned_at=_moment(data.get("scanned_at"), "scanned_at"),
    )


def answer_json(answer: services.ScanAnswer, *, request: HttpRequest, checkin_list: CheckInList) -> dict:
    """A scan's answer as the page shows it. Nothing of a registration of another forum is told."""
    registration = answer.registration
    if answer.reason in (CheckInRefusal.OTHER_FORUM, CheckInRefusal.UNKNOWN):
        registration = None
    check_in = answer.check_in if answer.verdict != CheckInVerdict.REFUSED else None
    return {
        "verdict": answer.verdict,
        "reason": answer.reason or None,
        "message": verdict_message(
            verdict=answer.verdict, reason=answer.reason, check_in=check_in, tz=checkin_list.forum.tz
        ),
        "delegate": selectors.delegate_display(registration) if registration is not None else None,
        "check_in": selectors.check_in_display(check_in) if check_in is not None else None,
        "can_print_badge": bool(
            registration is not None
            and registration.status == RegistrationStatus.CONFIRMED
            and request.user.has_perm(PRINT_BADGES)
        ),
    }


@require_GET
@door_api()
def list_data(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    checkin_list = _list_or_error(request, list_id)
    if isinstance(checkin_list, JsonResponse):
        return checkin_list
    return json_response(selectors.checkin_list_data(checkin_list=checkin_list))


@require_POST
@door_api()
def scan(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    checkin_list = _list_or_error(request, list_id)
    if isinstance(checkin_list, JsonResponse):
        return checkin_list
    data = _body(request)
    answer = services.checkin_scan(
        checkin_list=checkin_list,
        scan=_scan(data),
        staff=request.user,
        device=_text(data, "device", limit=64),
        device_label=_text(data, "device_label", limit=100),
    )
    return json_response(answer_json(answer, request=request, checkin_list=checkin_list))


@require_POST
@door_api()
def sync(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    checkin_list = _list_or_error(request, list_id)
    if isinstance(checkin_list, JsonResponse):
        return checkin_list
    data = _body(request)
    raw = data.get("scans") or []
    if not isinstance(raw, list):
        raise BadRequest(_("“scans” must be a list."))
    if len(raw) > services.MAX_SYNC_SCANS:
        raise BadRequest(
            _("At most %(count)d scans can be sent at a time; please send the rest next.")
            % {"count": services.MAX_SYNC_SCANS}
        )
    scans = [_scan(item, position) for position, item in enumerate(raw)]
    since = _moment(data.get("since"), "since")
    server_time = timezone.now()
    answers = services.checkin_sync(
        checkin_list=checkin_list,
        scans=scans,
        staff=request.user,
        device=_text(data, "device", limit=64),
        device_label=_text(data, "device_label", limit=100),
    )
    results = [
        {
            "idempotency_key": str(answer.idempotency_key),
            **answer_json(answer, request=request, checkin_list=checkin_list),
        }
        for answer in answers
    ]
    changed = selectors.check_ins_changed_since(
        checkin_list=checkin_list, since=since - SYNC_OVERLAP if since else None
    )
    return json_response({"results": results, "check_ins": changed, "server_time": server_time.isoformat()})


@require_GET
@door_api()
def search(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    checkin_list = _list_or_error(request, list_id)
    if isinstance(checkin_list, JsonResponse):
        return checkin_list
    return json_response(
        {"results": selectors.checkin_search(checkin_list=checkin_list, query=request.GET.get("q", ""))}
    )


@require_POST
@door_api(UNDO_CHECKIN)
def undo(request: HttpRequest, check_in_id: uuid.UUID) -> HttpResponse:
    check_in = CheckIn.objects.select_related("list").filter(public_id=check_in_id).first()
    if check_in is None:
        return error_response(_("This check-in does not exist."), status=404)
    if not staff_may_work_on(request.user, check_in.list.forum_id):
        return error_response(_("This check-in belongs to a forum you do not work on."), status=403)
    services.checkin_undo(check_in=check_in, actor=request.user)
    return json_response({"undone": True})


@require_POST
@door_api(PRINT_BADGES)
def badge_print(request: HttpRequest, list_id: uuid.UUID) -> HttpResponse:
    """The badge of the delegate with the form's ``reference``, for the desk printer (PDF, attachment),
    marked printed. A reference not of this forum → 404; a badge that cannot print → 409 saying why."""
    checkin_list = _list_or_error(request, list_id)
    if isinstance(checkin_list, JsonResponse):
        return checkin_list
    reference = request.POST.get("reference", "").strip()
    if not reference:
        raise BadRequest(_("Please say whose badge to print (their reference)."))
    registration = door_badge_registration(checkin_list=checkin_list, reference=reference)
    if registration is None:
        return error_response(_("No registration of this forum has this reference."), status=404)
    try:
        job = door_badge_print(registration=registration, actor=request.user)
    except BadgeUnprintable as error:
        return error_response(str(error), status=409, problems=error.problems)
    except BadgeError as error:
        return error_response(str(error), status=409)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"badge-{registration.reference}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
