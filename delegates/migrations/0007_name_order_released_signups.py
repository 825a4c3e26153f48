"""A registration's name order, and sign-ups kept as RELEASED when their registration leaves.

Registrations already made keep given name first: their names were typed, and their badge names
suggested, in that order, so their pages read as before. Sign-ups deleted on an earlier cancellation
cannot be brought back.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0006_usernames_are_emails"),
        ("events", "0005_badges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="name_order",
            field=models.CharField(
                choices=[("given_first", "Given name first"), ("family_first", "Family name first")],
                default="given_first",
                help_text="How the name is written: pages, emails, lists and the suggested badge name follow it.",
                max_length=12,
                verbose_name="name order",
            ),
        ),
        migrations.AlterField(
            model_name="sessionsignup",
            name="status",
            field=models.CharField(
                choices=[("confirmed", "Confirmed"), ("waitlisted", "Waitlisted"), ("released", "Released")],
                max_length=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.CheckConstraint(
                condition=models.Q(("name_order__in", ["given_first", "family_first"])),
                name="registration_name_order_valid",
            ),
        ),
    ]
