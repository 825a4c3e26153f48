"""One *active* registration per email address and forum (pending, confirmed or waitlisted): a delegate
who cancelled registers again as a new registration, with its own reference and history, and the
cancelled one stays as it was. Rejected and cancelled registrations are not counted by the database;
the submit service still refuses to register an address the secretariat rejected."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0010_staff_roles"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="registration",
            name="registration_one_per_email_per_forum",
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                models.F("forum"),
                condition=models.Q(("status__in", ("pending", "confirmed", "waitlisted"))),
                name="registration_one_active_per_email_per_forum",
            ),
        ),
        migrations.AlterField(
            model_name="emailoutbox",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Registration received, pending approval"),
                    ("confirmed", "Registration confirmed"),
                    ("waitlisted", "Registration waitlisted"),
                    ("promoted", "Promoted from the waitlist"),
                    ("rejected", "Registration rejected"),
                    ("cancelled", "Registration cancelled"),
                    ("changed", "Registration details changed"),
                    ("attempt", "Registration attempted for an address already registered"),
                    ("account", "Account (verification, password reset)"),
                ],
                max_length=16,
            ),
        ),
    ]
