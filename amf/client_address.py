"""The address of the client a request came from, as every rate limit of the site counts it.

One function for all: allauth's rate limits (sign-in, sign-up, password reset) call its adapter's
``get_client_ip``, and so does ``client_address``, which any rate limit or check of our own uses. With
``ALLAUTH_TRUSTED_PROXY_COUNT`` (env ``TRUSTED_PROXY_COUNT``) = N > 0 it is the N-th address from the
right of ``X-Forwarded-For`` — the one the outermost of our proxies appended — and with 0 the address
of the connection (``REMOTE_ADDR``), whatever headers the client sent.

The address is personal data: it goes into cache keys, never into the logs.
"""

from allauth.account.adapter import get_adapter
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address (allauth's ``get_client_ip``: the adapter's, so a project adapter that
    overrides it is followed). A request without one is refused with PermissionDenied (403)."""
    return get_adapter(request).get_client_ip(request)
