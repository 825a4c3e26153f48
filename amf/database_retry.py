"""A request whose database connection is cut half-way (PostgreSQL restarted, a failover, a backend
terminated) is run once more where that is safe, or answered with the site's "please try again" page
(503 with Retry-After) — never a 500, never a CSRF failure for a form that was filled in correctly.

- Safe to run again: a read (GET, HEAD, OPTIONS), and a write that has committed nothing yet. Views
  commit in their service's own ``transaction.atomic`` block (there is no ATOMIC_REQUESTS), and a
  request may commit more than once (the service, then the session). So every statement the request
  sends is watched (``connection.execute_wrapper``): a write in autocommit mode counts as saved, a
  write inside a transaction counts as saved once the transaction commits (``on_commit``) — and as
  perhaps saved when its COMMIT itself was the statement cut, since the server may have committed
  before the client heard. A transaction whose own statement failed on the lost connection never
  committed. Only a request with nothing saved or perhaps saved runs again, once.
- The page that says "try again" discards the response of the failed attempt with its cookies: a
  sign-in that failed after Django rotated the CSRF secret would otherwise send the new CSRF cookie
  but not the new session, and the form the user sends again (still holding the old token) would fail
  the CSRF check. The browser keeps its CSRF cookie, and the page's own form carries a token of it.
- What the user typed comes back in the page, as hidden fields of a form that sends it again (not
  passwords, which are typed again; not files).

The middleware sits outside the session, CSRF and authentication middleware, so a run again starts
from the request as it came: a fresh session and user, the CSRF check made again with the same cookie
and token. Errors are recognised through ``got_request_exception``, which Django sends for every
exception it turns into a 500 (in a view, a template or a middleware).
"""

import contextlib
import functools
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# SQL that changes no data: reads (also SELECT ... FOR UPDATE), session settings, savepoints.
READ_ONLY_SQL = ("select", "set ", "show", "savepoint", "release", "rollback")
# Form fields never written back into a page.
NOT_KEPT_FIELDS = ("csrfmiddlewaretoken",)
# SQLSTATE of a server that ended the session (57P01 admin shutdown, 57P02 crash, 57P03 cannot
# connect now), and class 08 (connection exception).
CONNECTION_LOST_SQLSTATES = ("57P01", "57P02", "57P03")
REQUEST_ATTRIBUTE = "_amf_database_connection_lost"
# What the session, authentication, messages and CSRF middleware leave on a request; a run again
# starts without them, as the request came.
REQUEST_STATE = (
    "session", "user", "auser", "_cached_user", "_acached_user", "_messages", "csrf_processing_done",
)  # fmt: skip
REQUEST_META_STATE = ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE")


def connection_lost(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the database connection was lost, not that a query
    was wrong or a lock timed out."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, InterfaceError):
            return True
        if isinstance(error, OperationalError):
            sqlstate = getattr(error.__cause__, "sqlstate", None)
            return sqlstate is None or sqlstate.startswith("08") or sqlstate in CONNECTION_LOST_SQLSTATES
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _note_connection_lost(sender, request=None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and connection_lost(error):
        setattr(request, REQUEST_ATTRIBUTE, error)


class SkipHandledConnectionLoss(logging.Filter):
    """Logging filter of ``django.request``: Django logs "Internal Server Error" for the exception
    before this middleware has run the request again or answered "try again" (which it logs itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not hasattr(getattr(record, "request", None), REQUEST_ATTRIBUTE)


def _is_write(sql) -> bool:
    return not str(sql).lstrip()[:10].lower().startswith(READ_ONLY_SQL)


class SavedWrites:
    """Watches the statements of one request on every database connection: ``may_have_saved`` is
    true once anything may have been committed."""

    def __init__(self):
        self.committed = False
        self.open_transactions: set[str] = set()  # aliases with writes whose transaction has not ended

    @property
    def may_have_saved(self) -> bool:
        return self.committed or bool(self.open_transactions)

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        in_transaction = connection.in_atomic_block
        if _is_write(sql):
            if in_transaction:
                self.open_transactions.add(connection.alias)
                transaction.on_commit(
                    functools.partial(self._committed, connection.alias), using=connection.alias
                )
            else:
                self.committed = True  # autocommit: the statement commits on its own
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            if in_transaction and connection_lost(error):
                # The statement failed inside its transaction: that transaction can never commit.
                self.open_transactions.discard(connection.alias)
            raise

    def _committed(self, alias: str) -> None:
        self.open_transactions.discard(alias)
        self.committed = True


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # already broken: Django drops it either way
            connection.close()


class DatabaseRetryMiddleware:
    """Runs a request that lost its database connection once more where that is safe; otherwise, or
    when the second run fails too, answers with ``503.html``."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_connection_lost, dispatch_uid="amf.database_retry")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response, writes = self._attempt(request)
        if not hasattr(request, REQUEST_ATTRIBUTE):
            return response
        error = getattr(request, REQUEST_ATTRIBUTE)
        # Uploaded files were read by the first run; they are not read again.
        retry = request.method in SAFE_METHODS or not (writes.may_have_saved or _has_files(request))
        logger.warning(
            "database connection lost during a request; %s",
            "running it again" if retry else "answering try again",
            extra={"method": request.method, "view": _view_name(request), "error": type(error).__name__},
        )
        _close_connections()
        if retry:
            self._forget_state(request)
            response, writes = self._attempt(request)
            if not hasattr(request, REQUEST_ATTRIBUTE):
                return response
            logger.warning(
                "database connection lost again; answering try again",
                extra={"method": request.method, "view": _view_name(request)},
            )
            _close_connections()
        return self._try_again(request, may_have_saved=writes.may_have_saved)

    def _attempt(self, request: HttpRequest) -> tuple[HttpResponse, SavedWrites]:
        writes = SavedWrites()
        wrappers = [connection.execute_wrapper(writes) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            return self.get_response(request), writes
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)

    @staticmethod
    def _forget_state(request: HttpRequest) -> None:
        for name in (REQUEST_ATTRIBUTE, *REQUEST_STATE):
            request.__dict__.pop(name, None)
        for key in REQUEST_META_STATE:
            request.META.pop(key, None)

    def _try_again(self, request: HttpRequest, *, may_have_saved: bool) -> HttpResponse:
        # Nothing on this page may need the database again: the user only if already loaded (as the
        # session named them when the request came), no messages from the session.
        from django.contrib.auth.models import AnonymousUser  # not at import: logging config loads this

        user = request.__dict__.get("_cached_user") or AnonymousUser()
        # The CSRF secret as the browser holds it (a rotation of the failed attempt is forgotten), and
        # a new cookie only for a browser that had none.
        self._forget_state(request)
        page = functools.partial(self._render_try_again, user=user, may_have_saved=may_have_saved)
        response = CsrfViewMiddleware(page)(request)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        # The clickjacking middleware sits inside this one; CSP's frame-ancestors comes from outside.
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response

    @staticmethod
    def _render_try_again(request: HttpRequest, *, user, may_have_saved: bool) -> HttpResponse:
        kept, held_back = _kept_fields(request)
        context = {
            "resend": request.method == "POST" and not may_have_saved and not held_back,
            "may_have_saved": request.method not in SAFE_METHODS and may_have_saved,
            "held_back": held_back,
            "is_post": request.method == "POST",
            "kept_fields": kept,
            "action": request.get_full_path(),
            "retry_after": RETRY_AFTER_SECONDS,
            "user": user,
            "messages": [],
        }
        return render(request, "503.html", context, status=503)


def _has_files(request: HttpRequest) -> bool:
    return bool(request.__dict__.get("_files"))


def _kept_fields(request: HttpRequest) -> tuple[list[tuple[str, str]], str]:
    """The POSTed fields to send again, and what of the form cannot be sent again from a page:
    "password" (never written into a page), "file" (a page cannot hold one) or "" (nothing)."""
    if request.method != "POST":
        return [], ""
    try:
        items = list(request.POST.lists())
    except Exception:  # a body that cannot be parsed (too large, broken): nothing to keep
        return [], "file"
    kept: list[tuple[str, str]] = []
    held_back = "file" if _has_files(request) else ""
    for name, values in items:
        if name in NOT_KEPT_FIELDS:
            continue
        if "password" in name.lower():
            held_back = "password"
            continue
        kept += [(name, value) for value in values]
    return kept, held_back


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "-"
