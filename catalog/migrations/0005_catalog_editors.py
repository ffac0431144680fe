"""Catalog governance (issue 12, item 7): the shared catalog's text is edited by catalog editors only.

Existing databases: the clinic-admin group loses add/change/delete on the shared catalog (it keeps
viewing it, and its clinic's offerings, prices and physicians), and the "catalog editor" group is
created with them. A fresh database has no groups or permissions yet at this point:
`catalog.roles.ensure_groups` makes both when the first role is given.
"""

from django.db import migrations

SHARED = [
    "source",
    "condition",
    "medicalflag",
    "treatment",
    "sideeffect",
    "indication",
    "contraindication",
    "homecaretip",
    "nutrient",
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    shared = Permission.objects.filter(content_type__app_label="catalog", content_type__model__in=SHARED)
    editing = shared.exclude(codename__startswith="view_")
    for group in Group.objects.filter(name="clinic-admin"):
        group.permissions.remove(*editing)
    if shared.exists():
        editors, _ = Group.objects.get_or_create(name="catalog editor")
        editors.permissions.add(*shared)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_lead_time_not_for_avoid_with"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
