"""Accounts are their email addresses: the username Django keeps (and shows in the admin) becomes the
address, lower case, for every account that has one that fits and is not taken."""

from django.db import migrations


def usernames_from_emails(apps, schema_editor):
    User = apps.get_model("auth", "User")
    taken = set(User.objects.values_list("username", flat=True))
    for user in User.objects.exclude(email="").order_by("pk"):
        username = user.email.strip().lower()
        if user.username == username or not 0 < len(username) <= 150 or username in taken:
            continue
        taken.discard(user.username)
        taken.add(username)
        user.username = username
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("delegates", "0005_outbox_skipped"),
    ]

    operations = [migrations.RunPython(usernames_from_emails, migrations.RunPython.noop)]
