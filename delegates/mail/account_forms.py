"""The sign-up form: allauth's, doing the same work whether or not an account has the address.

With ``ACCOUNT_PREVENT_ENUMERATION`` and mandatory verification, allauth answers a sign-up for an
address that has an account as it answers a new one ("we have sent you an email"), and emails the
address instead of creating an account. What it does not do in that branch is hash the password —
by far the dearest step of a new account (PBKDF2, most of a second in production) — so the time of the
answer told whether the address had an account. Here the password is hashed in both branches; in both,
one email is written to the outbox and sent in the background (``account_adapter.send_mail``)."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # The hash a new account's password gets, thrown away: the answer takes as long.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
