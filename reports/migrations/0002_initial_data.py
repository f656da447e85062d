from django.db import migrations

from reports.roles import create_groups, remove_groups


def create_revision(apps, schema_editor):
    apps.get_model("reports", "PublicRevision").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """The three roles as groups, and the public revision's one row."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("goals", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: create_groups(apps),
            lambda apps, schema_editor: remove_groups(apps),
        ),
        migrations.RunPython(create_revision, migrations.RunPython.noop),
    ]
