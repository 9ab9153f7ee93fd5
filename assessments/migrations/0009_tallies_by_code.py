"""Daily tallies name content by its stable code (« expectation:CG1 ») instead of its row id,
so that several questionnaire versions add up code by code."""

from django.db import migrations, models

MODELS = {"category": "Category", "expectation": "Expectation", "track": "Track"}


def by_code(apps, schema_editor):
    DailyTally = apps.get_model("assessments", "DailyTally")
    codes = {
        (kind, pk): code
        for kind, name in MODELS.items()
        for pk, code in apps.get_model("orientation", name).objects.values_list("pk", "code")
    }
    for old in list(DailyTally.objects.values_list("code", flat=True).distinct().order_by()):
        kind, _colon, rest = old.partition(":")
        pk, _colon, band = rest.partition(":")
        if kind not in MODELS or not pk.isdigit():
            continue
        new = f"{kind}:{codes[kind, int(pk)]}" + (f":{band}" if band else "")
        DailyTally.objects.filter(code=old).update(code=new)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_blocks_per_class"),
        ("orientation", "0003_english_and_simple_content"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailytally",
            name="code",
            field=models.CharField(max_length=100, verbose_name="mesure"),
        ),
        migrations.RunPython(by_code, migrations.RunPython.noop),
    ]
