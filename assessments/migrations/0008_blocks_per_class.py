"""Blocks become per class, whatever the version: a class split across two questionnaire
versions reaches the group minimum as one class. Closed blocks keep their members; the open
blocks of a class (one per version until now) merge into one, closed if it is full."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Max


def merge_open_blocks(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    Block = apps.get_model("assessments", "Block")
    cohorts = Block.objects.values_list("cohort_id", flat=True).distinct().order_by()
    for cohort_id in list(cohorts):
        blocks = list(Block.objects.filter(cohort_id=cohort_id).order_by("closed_at", "pk"))
        closed = [block for block in blocks if block.closed_at is not None]
        opened = [block for block in blocks if block.closed_at is None]
        for number, block in enumerate(closed, start=1):
            Block.objects.filter(pk=block.pk).update(number=number)
        if not opened:
            continue
        keep, *others = opened
        Assessment.objects.filter(block__in=others).update(block=keep)
        Block.objects.filter(pk__in=[block.pk for block in others]).delete()
        members = Assessment.objects.filter(block=keep)
        closed_at = None
        if members.count() >= settings.MIN_GROUP_SIZE:
            closed_at = members.aggregate(last=Max("completed_at"))["last"]
        Block.objects.filter(pk=keep.pk).update(number=len(closed) + 1, closed_at=closed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_class_blocks"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="block", name="one_block_number_per_class"),
        migrations.RemoveConstraint(model_name="block", name="one_open_block_per_class"),
        migrations.RunPython(merge_open_blocks, migrations.RunPython.noop),
        migrations.RemoveField(model_name="block", name="version"),
        migrations.AddConstraint(
            model_name="block",
            constraint=models.UniqueConstraint(
                fields=("cohort", "number"), name="one_block_number_a_class"
            ),
        ),
        migrations.AddConstraint(
            model_name="block",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True)),
                fields=("cohort",),
                name="one_open_block_a_class",
            ),
        ),
    ]
