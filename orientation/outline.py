"""Read a whole version in reading order, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Category, Expectation, Item, ScoreBand, Track, TrackWeight


@dataclass
class Step:
    category: Category
    items: list = field(default_factory=list)
    # (expectation, its items) in order, for categories of attendus.
    groups: list = field(default_factory=list)


def questionnaire_outline(version):
    """Steps (one per category) with their items and attendus, the tracks and the bands."""
    categories = list(Category.objects.filter(version=version))
    expectations = list(Expectation.objects.filter(version=version))
    items = list(Item.objects.filter(version=version))
    steps = {category.pk: Step(category=category) for category in categories}
    by_expectation = {expectation.pk: (expectation, []) for expectation in expectations}
    for item in items:
        steps[item.category_id].items.append(item)
        if item.expectation_id:
            by_expectation[item.expectation_id][1].append(item)
    for expectation in expectations:
        steps[expectation.category_id].groups.append(by_expectation[expectation.pk])
    weights = TrackWeight.objects.select_related("item").order_by("item__position", "item__pk")
    tracks = Track.objects.filter(version=version).prefetch_related(Prefetch("weights", weights))
    return {
        "steps": list(steps.values()),
        "tracks": list(tracks),
        "bands": list(ScoreBand.objects.filter(version=version)),
    }
