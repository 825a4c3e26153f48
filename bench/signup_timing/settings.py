"""Settings of the sign-up timing benchmark: the test suite's (PostgreSQL, the filesystem broker in a
folder of the run), with production's password hashing — Django's default PBKDF2, which the suite
replaces by MD5 for speed — and allauth's rate limits off, so that hundreds of sign-ups from one
address in a minute are measured rather than refused."""

import os

from django.conf import global_settings

from amf.settings.test import *  # noqa: F403 - the bench extends the suite's settings by design

PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
ACCOUNT_RATE_LIMITS = False

# BENCH_SIGNUP_STOCK_FORM=1: allauth's own sign-up form, which hashes no password for an address that
# has an account — the figures "before" in bench/README.md.
if os.environ.get("BENCH_SIGNUP_STOCK_FORM"):
    ACCOUNT_FORMS = {}
