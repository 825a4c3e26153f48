"""The embedded local demo: `make run` with no environment. Never used in production."""

import os

os.environ.setdefault("SECRET_KEY", "local-demo-only-not-secret-" + "x" * 32)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

from .base import *  # noqa: F403 - settings modules extend base by design
from .base import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
