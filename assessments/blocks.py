"""Class blocks: what a class's figures are made of, so that they cannot be picked apart.

A class's completed first questionnaires are put, in the order they are completed, into blocks
of one class, whatever version of the questionnaire each student took (a class's figures are
read across versions, attendu by attendu: assessments/stats.py). Retakes fill blocks of their
own, under the same rules: class figures never count them, a before/after comparison sets them
against the first questionnaires. A block
takes questionnaires until it holds MIN_GROUP_SIZE, then closes for good: its membership never
changes again, except that a student may delete theirs. Class figures add up closed blocks that
still hold MIN_GROUP_SIZE (assessments/stats.py); the open block waits.

So every figure an adviser can see is a sum of whole closed blocks, whatever the date filters:
two figures differ by whole blocks (at least MIN_GROUP_SIZE students) or not at all, and a new
completion never moves a questionnaire from one block to another, so comparing the dashboard
today and tomorrow shows whole new blocks, never one student. A deletion takes one student out
of a closed block (the student asked for it); a block that falls under MIN_GROUP_SIZE is hidden,
never merged with another.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import Assessment, Block


def join(assessment_id, cohort_id, *, now, retake=False):
    """Puts a questionnaire completed just now in its class's open block of first
    questionnaires or of retakes (in the completing transaction); closes the block when it is
    full. Returns the block."""
    block = _open_block(cohort_id, retake)
    Assessment.objects.filter(pk=assessment_id).update(block=block)
    if Assessment.objects.filter(block=block).count() >= settings.MIN_GROUP_SIZE:
        Block.objects.filter(pk=block.pk).update(closed_at=now)
    return block


# Each turn that finds no open block and fails to open one means another completion of the
# class went through meanwhile; the bound only guards against a bug looping for ever.
TURNS = 100


def _open_block(cohort_id, retake):
    """The class's open block, locked until the completing transaction ends; a new one when
    there is none.

    Under a class completing at once (PostgreSQL, READ COMMITTED), the open block can be
    opened, filled and closed by other completions between two of these statements: the lock
    waits for the closing transaction, after which the block no longer matches. So look again
    until a block is found or opened."""
    open_blocks = Block.objects.select_for_update().filter(
        cohort_id=cohort_id, retake=retake, closed_at__isnull=True
    )
    for _turn in range(TURNS):
        block = open_blocks.first()
        if block is not None:
            return block
        try:
            with transaction.atomic():
                return _create(cohort_id, retake)
        except IntegrityError:
            continue  # another completion opened one a moment ago
    raise RuntimeError(f"no open block for class {cohort_id} after {TURNS} turns")


def _create(cohort_id, retake):
    last = (
        Block.objects.filter(cohort_id=cohort_id, retake=retake)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return Block.objects.create(cohort_id=cohort_id, retake=retake, number=(last or 0) + 1)


def place(attempt_model, block_model, attempts, min_size):
    """Puts a class's completed questionnaires without a block into blocks, in completion order,
    as if each had joined when it was completed (for data stored in bulk: a migration, test
    data). Takes the model classes so that a migration can pass its historical ones. One
    UPDATE per block, not per questionnaire."""
    pending = (
        attempts.filter(completed_at__isnull=False, cohort__isnull=False, block__isnull=True)
        .order_by("completed_at", "pk")
        .values_list("pk", "cohort_id", "previous_id", "completed_at")
    )
    filling = {}  # (cohort, retake) → (its open block, members it already had, new members)

    def write(block, members, closed_at=None):
        attempt_model.objects.filter(pk__in=members).update(block=block)
        if closed_at is not None:
            block_model.objects.filter(pk=block.pk).update(closed_at=closed_at)

    for pk, cohort_id, previous_id, completed_at in pending.iterator():
        key = (cohort_id, previous_id is not None)
        if key not in filling:
            same = block_model.objects.filter(cohort_id=cohort_id, retake=key[1])
            block = same.filter(closed_at__isnull=True).first()
            if block is None:
                block = block_model.objects.create(
                    cohort_id=cohort_id, retake=key[1], number=same.count() + 1
                )
            filling[key] = (block, attempt_model.objects.filter(block=block).count(), [])
        block, before, members = filling[key]
        members.append(pk)
        if before + len(members) >= min_size:
            write(block, members, closed_at=completed_at)
            del filling[key]
    for block, _before, members in filling.values():
        write(block, members)
