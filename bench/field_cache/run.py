"""Where the registration form's empty fields are kept: a per-process dictionary or Django's
local-memory cache. Prints, per form of some thirty fields, the median time to render them through
their templates, to serve them from the dictionary of ``delegates_tags.form_field``, and to serve them
from a ``LocMemCache`` under the same keys.

    .venv/bin/python -m bench.field_cache.run

Runs on a throw-away SQLite database in a temporary folder (no server needed); in-process, no HTTP.
"""

import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ROUNDS = int(os.environ.get("BENCH_FIELD_CACHE_ROUNDS", "300"))


def main() -> None:
    folder = tempfile.mkdtemp(prefix="amf-bench-fields-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="amf.settings.test", DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from delegates.registration.forms import RegistrationForm
    from delegates.templatetags import delegates_tags as tags
    from tests.factories import DelegateCategoryFactory, ForumFactory

    call_command("migrate", verbosity=0)
    forum = ForumFactory(slug="bench-forum")
    DelegateCategoryFactory(forum=forum)
    locmem = LocMemCache("fields", {"OPTIONS": {"MAX_ENTRIES": tags.FIELD_CACHE_SIZE}})
    skipped = {"category", "sessions"}  # options from the database: never kept

    def template_for(field):
        return tags.CHOICE_GROUP_TEMPLATE if field.widget_type == "radioselect" else tags.FIELD_TEMPLATE

    def rendered(form):
        for name in form.fields:
            if name not in skipped:
                render_to_string(template_for(form[name]), {"field": form[name]})

    def from_dictionary(form):
        for name in form.fields:
            if name not in skipped:
                tags.form_field(form[name])

    def from_locmem(form):
        for name in form.fields:
            if name in skipped:
                continue
            field = form[name]
            key = hashlib.sha256(repr(tags._field_cache_key(field, {})).encode()).hexdigest()
            if locmem.get(key) is None:
                html = render_to_string(template_for(field), {"field": field})
                locmem.set(key, mark_safe(html), None)  # noqa: S308 - a template's output, as form_field keeps

    def median_ms(serve) -> float:
        serve(RegistrationForm(forum=forum))  # fills the stores
        times = []
        for _ in range(ROUNDS):
            form = RegistrationForm(forum=forum)
            started = time.perf_counter()
            serve(form)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    tags.clear_field_cache()
    print(f"rendered every time      {median_ms(rendered):6.2f} ms per form (baseline)")
    print(f"per-process dictionary   {median_ms(from_dictionary):6.2f} ms per form")
    print(f"Django LocMemCache       {median_ms(from_locmem):6.2f} ms per form")


if __name__ == "__main__":
    main()
