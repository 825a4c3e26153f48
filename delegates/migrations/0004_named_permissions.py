"""Named staff permissions (``delegates/permissions.py``), and the print job's dead many-to-many.

Printing badges and reissuing a lost badge's check-in code took "change registration" until now: whoever
holds it (a user or a group) is given the two named permissions, so nobody loses what they could do.
Removing ``PrintJob.registrations`` drops no table: its rows were always ``PrintJobItem``'s.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NAMED = ("print_badges", "reissue_checkin_token")


def grant_to_holders_of_change(apps, schema_editor):
    # Permissions are created after all migrations ran; this one needs them now.
    app_config = apps.get_app_config("delegates")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    change = Permission.objects.filter(content_type__app_label="delegates", codename="change_registration")
    named = list(Permission.objects.filter(content_type__app_label="delegates", codename__in=NAMED))
    for group in Group.objects.filter(permissions__in=change).distinct():
        group.permissions.add(*named)
    for user in User.objects.filter(user_permissions__in=change).distinct():
        user.user_permissions.add(*named)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("delegates", "0003_outbox_written_by_worker"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="registration",
            options={
                "ordering": ["created_at", "id"],
                "permissions": (
                    ("print_badges", "Can print badges (start and restart print jobs)"),
                    ("reissue_checkin_token", "Can reissue the check-in code of a lost badge"),
                ),
                "verbose_name": "registration",
                "verbose_name_plural": "registrations",
            },
        ),
        migrations.RemoveField(model_name="printjob", name="registrations"),
        migrations.RunPython(grant_to_holders_of_change, migrations.RunPython.noop),
    ]
