"""The three roles as groups: department staff, officials and administrators."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_GROUP = "Toimialojen raportoijat"
OFFICIALS_GROUP = "Strategiatiimi"
ADMINISTRATORS_GROUP = "Pääkäyttäjät"


def create_groups(apps, schema_editor):
    # Permissions are otherwise created only after all migrations have run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name=STAFF_GROUP)  # no admin rights: reports/rules.py decides
    officials, _ = Group.objects.get_or_create(name=OFFICIALS_GROUP)
    officials.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["goals", "reports"])
    )
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    administrators.permissions.set(
        Permission.objects.filter(
            content_type__app_label="auth", content_type__model__in=["user", "group"]
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[STAFF_GROUP, OFFICIALS_GROUP, ADMINISTRATORS_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("goals", "0002_history"),
        ("reports", "0004_workflow_and_history"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
