"""The three roles as groups: department staff, officials and administrators.

Created by a data migration (reports/migrations/0002_initial_data.py); tests that empty the
tables create them again with the same function.
"""

from django.contrib.auth.management import create_permissions

STAFF_GROUP = "Toimialojen raportoijat"
OFFICIALS_GROUP = "Strategiatiimi"
ADMINISTRATORS_GROUP = "Pääkäyttäjät"


def _create_permissions(apps, app_configs):
    # Permissions are otherwise created only after all migrations have run.
    for app_config in app_configs:
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module


def create_groups(apps):
    """Create the role groups with their permissions; `apps` is a migration's app
    registry or django.apps.apps."""
    _create_permissions(apps, apps.get_app_configs())
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


def grant_to_officials(apps, models):
    """Give the officials' role the permissions of models of the reports app that a later
    migration adds (`models`: lower-case model names): the role has every permission of
    the strategy's data. Other roles' permissions, maybe changed since, are left alone."""
    _create_permissions(apps, [apps.get_app_config("reports")])
    officials = apps.get_model("auth", "Group").objects.filter(name=OFFICIALS_GROUP).first()
    if officials is not None:
        officials.permissions.add(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="reports", content_type__model__in=models
            )
        )
