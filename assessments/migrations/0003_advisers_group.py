from django.db import migrations

GROUP = "Conseillers"


def create_group(apps, schema_editor):
    # Django creates permissions after all migrations; create this one now (same rows).
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    cohort_type, _created = ContentType.objects.get_or_create(app_label="assessments", model="cohort")
    permission, _created = Permission.objects.get_or_create(
        content_type=cohort_type,
        codename="use_adviser_space",
        defaults={"name": "Peut utiliser l'espace conseiller"},
    )
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_adviser_space"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
