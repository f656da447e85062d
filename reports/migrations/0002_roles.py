from django.db import migrations

from reports.roles import create_groups, remove_groups


class Migration(migrations.Migration):
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
        )
    ]
