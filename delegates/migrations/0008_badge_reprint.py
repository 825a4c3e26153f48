"""What each print job item printed: the fingerprint of the badge's content (``badge_fingerprint``), so a
badge changed since it was printed is found in SQL and marked for reprint.

Items printed before this migration did not record it: the badges of finished jobs are taken to show
what their registrations show now (the best knowledge there is), so nothing is marked for reprint
that was not changed after the migration.
"""

from django.db import migrations, models
from django.db.models import Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import MD5, Cast, Coalesce

# badges.content.FINGERPRINT_SOURCES as of this migration (frozen: the function may change later).
SOURCES = (
    "badge_name",
    "city",
    "country",
    "honorific",
    "native_name",
    "native_name_lang",
    "organisation",
    "position",
    "checkin_token",
    "category__name",
    "category__badge_colour",
    "forum__name",
    "forum__start_date",
    "forum__end_date",
)


class FlatConcat(Func):
    """``a || b || c``, flat: Django's Concat nests too deep for SQLite's parser (thirty parts)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


def record_what_done_jobs_printed(apps, schema_editor):
    Registration = apps.get_model("delegates", "Registration")
    PrintJobItem = apps.get_model("delegates", "PrintJobItem")
    parts = []
    for path in SOURCES:
        parts += [Coalesce(Cast(path, TextField()), Value(""), output_field=TextField()), Value("\x1f")]
    fingerprint = (
        Registration.objects.filter(pk=OuterRef("registration_id"))
        .annotate(fingerprint=MD5(FlatConcat(*parts)))
        .values("fingerprint")[:1]
    )
    PrintJobItem.objects.filter(job__status="done").update(printed_fingerprint=Subquery(fingerprint))


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0007_name_order_released_signups"),
    ]

    operations = [
        migrations.AddField(
            model_name="printjobitem",
            name="printed_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(record_what_done_jobs_printed, migrations.RunPython.noop),
    ]
