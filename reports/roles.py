"""The three roles as groups: department staff, officials and administrators.

Created by a data migration (reports/migrations/0002_initial_data.py); tests that empty the
tables create them again with the same function.
"""

from django.contrib.auth.management import create_permissions

STAFF_GROUP = "Toimialojen raportoijat"
OFFICIALS_GROUP = "Strategiatiimi"
ADMINISTRATORS_GROUP = "Pääkäyttäjät"


def create_groups(apps):
    """Create the role groups with their permissions; `apps` is a migration's app
    registry or django.apps.apps."""
    # Permissions are otherwise created only after all migrations have run.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
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


def remove_groups(apps):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[STAFF_GROUP, OFFICIALS_GROUP, ADMINISTRATORS_GROUP]
    ).delete()
