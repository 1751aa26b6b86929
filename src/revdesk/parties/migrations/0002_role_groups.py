"""Create one auth group per role, so a fresh database has them before any user exists."""

from django.db import migrations

ROLE_LABELS = [
    "Sales operations",
    "Commissions analyst",
    "Collector",
    "Senior collector",
    "Manager",
    "Sales rep",
    "Distributor user",
    "Administrator",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_LABELS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
