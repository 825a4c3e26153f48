"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amf.settings.local")

app = Celery("amf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The folders of kombu's filesystem transport (the embedded default broker) must exist before a
# worker declares its queues or the web process publishes; kombu does not create them.
_FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def _create_filesystem_broker_folders(sender, **kwargs):
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in _FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_finalize.connect
def _connect_worker_warm_up(sender, **kwargs):
    from celery.signals import worker_init

    # In the worker's main process, before the pool forks: its children inherit the loaded fonts.
    worker_init.connect(_warm_up_badge_rendering, weak=False)


def _warm_up_badge_rendering(**kwargs):
    """Load WeasyPrint, the fonts and the badge stylesheets once per worker, so the first badge or print
    job a delegate waits for is a warm one."""
    from delegates.services.print_rendering import render_warm_up

    try:
        render_warm_up()
    except Exception:  # a warm-up failure must never stop a worker; the first job pays the cost
        import logging

        logging.getLogger(__name__).exception("badge rendering warm-up failed")
