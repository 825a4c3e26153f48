"""Access policy for the admin: staff without two-factor authentication are sent to enrol TOTP first
(when ``ADMIN_REQUIRES_MFA`` is on, as in production)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


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
