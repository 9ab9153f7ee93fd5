"""CSV exports, streamed row by row so memory stays flat whatever the number of attempts.

They open as they are in a French spreadsheet: UTF-8 with a byte-order mark, `;` between
cells. A cell that starts with = + - @, a tab, a carriage return or NUL is prefixed with an
apostrophe, so a spreadsheet shows it as text instead of running it as a formula.
"""

import csv
import hashlib
import hmac
from itertools import islice

from django.conf import settings
from django.http import StreamingHttpResponse

from .models import Answer

BOM = "\ufeff"
DANGEROUS_FIRST = frozenset("=+-@\t\r\0")
CHUNK = 1000


def safe_cell(value):
    if value is None or value == "":
        return ""
    if type(value) is int:  # most cells: scores and answers, never a formula
        return value
    text = str(value)
    return "'" + text if text[:1] in DANGEROUS_FIRST else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def stream_csv(filename, rows):
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield BOM
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pseudonym(pk):
    """Stable per attempt, not reversible without the secret key, not the database id."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"attempt:{pk}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def dashboard_rows(board, labels):
    """The figures of a dashboard as rows (`labels` names the columns, translated)."""
    bands = [band for band, _share in board.categories[0].shares] if board.categories else []
    yield [labels["section"], labels["code"], labels["label"], labels["n"], labels["mean"]] + [
        f"% {band.label}" for band in bands
    ]
    for section, rows in (
        (labels["category"], board.categories),
        (labels["expectation"], board.expectations),
    ):
        for row in rows:
            yield [section, row.code, row.label, row.n, row.mean] + [s for _b, s in row.shares]
    for track, n, share in board.tracks:
        yield [labels["track"], track.code, track.name, n, "", share]
    for name, share in board.flags.items():
        yield [labels["flag"], name, labels[name], board.completed, "", share]
    for week, n, mean in board.weeks:
        yield [labels["week"], week.isoformat(), "", n, "" if mean is None else mean]


def attempt_rows(attempts, content, labels):
    """One row per completed attempt: answers, scores and first suggestion; no identity."""
    items = content.items
    item_codes = {item.pk: item.code for item in items}
    expectation_codes = [e.code for e in content.expectations]
    category_codes = [step.code for step in content.steps if step.kind == "expectations"]
    yield (
        [labels["pseudonym"], labels["version"], labels["cohort"], labels["date"]]
        + [item.code for item in items]
        + expectation_codes
        + category_codes
        + [labels["overall"], labels["track"]]
    )
    tracks = {track.pk: track.code for track in content.tracks}
    # Only the scores are read out of the stored result: the database extracts them, so
    # Python decodes a fraction of each row's JSON.
    rows = (
        attempts.completed()
        .order_by("pk")
        .values_list(
            "pk",
            "version__code",
            "cohort__code",
            "completed_at",
            "result__expectations",
            "result__categories",
            "result__overall",
            "top_track_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    while chunk := list(islice(rows, CHUNK)):
        answers = {}
        for attempt, item, value in Answer.objects.filter(
            assessment_id__in=[row[0] for row in chunk]
        ).values_list("assessment_id", "item_id", "value"):
            answers.setdefault(attempt, {})[item_codes.get(item)] = value
        for pk, version, cohort, completed_at, by_expectation, by_category, overall, track in chunk:
            given = answers.get(pk, {})
            yield (
                [pseudonym(pk), version, cohort or "", completed_at.date().isoformat()]
                + [given.get(item.code, "") for item in items]
                + [by_expectation[code]["score"] for code in expectation_codes]
                + [by_category[code]["score"] for code in category_codes]
                + [overall, tracks.get(track, "")]
            )
