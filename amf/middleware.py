"""Site-wide request policy: account pages are never stored by a cache, staff without two-factor
authentication are sent to enrol TOTP before the admin (when ``ADMIN_REQUIRES_MFA`` is on, as in
production), and a sign-out clears what the site stored in the browser."""

from functools import cached_property

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers


class AccountPagesNoStoreMiddleware:
    """Every response under the accounts area (``/accounts/``) says ``Cache-Control: no-store``: its
    pages carry secrets in their address or body — the key of a password-reset or email-confirmation
    link, a TOTP secret, recovery codes, the account's addresses — that no browser history cache,
    shared computer or proxy may keep. First in MIDDLEWARE, so that redirects made before the view
    (HTTPS, a missing slash), whose Location can carry the key, are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def prefix(self) -> str:
        # The accounts area, from allauth's URLs as included in amf/urls.py: "/accounts/".
        return reverse("account_login").rstrip("/").rsplit("/", 1)[0] + "/"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            add_never_cache_headers(response)
        return response


class AdminRequiresMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.ADMIN_REQUIRES_MFA and request.path.startswith("/" + settings.ADMIN_URL):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_staff:
                from allauth.mfa.models import Authenticator

                if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                    return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)


class SignOutClearsSiteDataMiddleware:
    """A sign-out (allauth's or the admin's) tells the browser to drop what the site stored on the
    device — ``Clear-Site-Data: "cache", "storage"`` — above all the check-in pages' offline copy of
    delegates (IndexedDB), their queued scans and the service worker's caches: a phone handed to
    someone else keeps no delegate's data. Cookies are left to the sign-out itself. After the
    authentication middleware (it reads who was signed in)."""

    HEADER = '"cache", "storage"'

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def paths(self) -> frozenset[str]:
        return frozenset({reverse("account_logout"), reverse("admin:logout")})

    def __call__(self, request):
        signed_in = request.method == "POST" and request.path in self.paths and request.user.is_authenticated
        response = self.get_response(request)
        if signed_in and response.status_code < 400 and not request.user.is_authenticated:
            response["Clear-Site-Data"] = self.HEADER
        return response
