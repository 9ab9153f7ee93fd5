"""CSV and XLSX exports; CSV streamed row by row so memory stays flat whatever the number of
attempts.

A CSV opens as it is in a spreadsheet of the page's language: UTF-8 with a byte-order mark;
in French `;` between cells and a decimal comma (« 55,0 », a number for a French spreadsheet,
where « 55.0 » would be text), in English `,` and a decimal point. A cell that starts with
= + - @ (or their full-width forms), whitespace or NUL is prefixed with an apostrophe, so a
spreadsheet shows it as text instead of running it as a formula. An XLSX file stores numbers
as numbers and every text as text (never a formula), so it needs neither rule.
"""

import csv
import hashlib
import hmac
import re
import tempfile
from datetime import datetime, time, timedelta
from itertools import islice

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Answer

BOM = "\ufeff"
# What a spreadsheet may read as the start of a formula: the ASCII signs, their full-width
# forms (LibreOffice and Excel normalise them), whitespace and control characters (a cell
# starting with a space or a newline is trimmed, then read), and NUL.
DANGEROUS_FIRST = frozenset("=+-@\t\r\n\0 \u3000＝＋－＠\x0b\x0c")
CHUNK = 1000


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _french():
    return (get_language() or "fr").startswith("fr")


def safe_cell(value, decimal_comma=False):
    if value is None or value == "":
        return ""
    if type(value) is int:  # most cells: scores and answers, never a formula
        return value
    if type(value) is float:
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    text = str(value)
    return "'" + text if text[:1] in DANGEROUS_FIRST else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def stream_csv(filename, rows):
    french = _french()
    writer = csv.writer(_Echo(), delimiter=";" if french else ",", lineterminator="\r\n")

    def lines():
        yield BOM
        for row in rows:
            yield writer.writerow([safe_cell(cell, decimal_comma=french) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename, title, rows):
    """The rows as a one-sheet workbook (write-only: rows go to a temporary file)."""
    workbook = Workbook(write_only=True)
    # A sheet name has at most 31 characters, none of []:*?/\ .
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "1")
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # FileResponse closes the file once sent, which deletes it.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


def _xlsx_cell(sheet, value):
    if value is None or value == "":
        return None
    if type(value) in (int, float):
        return value
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # openpyxl would take a text starting with « = » for a formula
    return cell


def _next_month(start):
    """Midnight on the first of the month after `start` (an aware first-of-month)."""
    first = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return timezone.make_aware(datetime.combine(first.date(), time.min), start.tzinfo)


def pseudonym(pk):
    """Stable per attempt, not reversible without the secret key, not the database id."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"attempt:{pk}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def dashboard_rows(board, labels):
    """The figures of a dashboard as rows (`labels` names the columns, translated): one header
    per column, every figure under its own."""
    bands = [band for band, _share in board.categories[0].shares] if board.categories else []
    yield [
        labels["section"],
        labels["code"],
        labels["label"],
        labels["n"],
        labels["mean"],
        *(f"% {band.label}" for band in bands),
        labels["share"],
    ]
    empty_bands = [""] * len(bands)
    for section, rows in (
        (labels["category"], board.categories),
        (labels["expectation"], board.expectations),
    ):
        for row in rows:
            yield [section, row.code, row.label, row.n, row.mean, *(s for _b, s in row.shares), ""]
    for track, n, share in board.tracks:
        yield [labels["track"], track.code, track.name, n, "", *empty_bands, share]
    for key, (n, share) in (("other_tracks", board.other_tracks), ("undecided", board.undecided)):
        if n:
            yield [labels["track"], "", labels[key], n, "", *empty_bands, share]
    for name, share in board.flags.items():
        n = board.flag_counts[name]
        yield [labels["flag"], labels[name], labels[f"{name}_help"], n, "", *empty_bands, share]
    for first, last, n, mean in board.weeks:
        period = f"{first.isoformat()}/{last.isoformat()}"
        yield [labels["week"], period, "", n, "" if mean is None else mean, *empty_bands, ""]


def attempt_rows(attempts, content, labels, *, min_group_size=None):
    """One row per completed attempt: answers, scores and first suggestion; no identity.

    Only administrators get it, over every class (adviser_views). What could tie a row to a
    student outside the answers — the class, the day — is left out: a row carries its version
    and the month it was started, and a (version, month) with fewer than MIN_GROUP_SIZE rows is
    left out whole (k-anonymity on what remains; the answers themselves are each student's own
    and are not generalised)."""
    k = settings.MIN_GROUP_SIZE if min_group_size is None else min_group_size
    completed = attempts.completed()
    months = (
        completed.annotate(month=TruncMonth("started_at"))
        .values_list("version_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    small = Q(pk__in=[])
    for version_id, month, n in months:
        if n < k:
            small |= Q(
                version_id=version_id, started_at__gte=month, started_at__lt=_next_month(month)
            )
    items = content.items
    item_codes = {item.pk: item.code for item in items}
    expectation_codes = [e.code for e in content.expectations]
    category_codes = [step.code for step in content.steps if step.kind == "expectations"]
    yield (
        [labels["pseudonym"], labels["version"], labels["month"]]
        + [item.code for item in items]
        + expectation_codes
        + category_codes
        + [labels["overall"], labels["track"]]
    )
    tracks = {track.pk: track.code for track in content.tracks}
    # Only the scores are read out of the stored result: the database extracts them, so
    # Python decodes a fraction of each row's JSON.
    rows = (
        completed.exclude(small)
        .order_by("pk")
        .values_list(
            "pk",
            "version__code",
            "started_at",
            "result__expectations",
            "result__categories",
            "result__overall",
            "top_track_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    while chunk := list(islice(rows, CHUNK)):
        answers = {}
        for attempt, item, value in (
            Answer.objects.using(completed.db)
            .filter(assessment_id__in=[row[0] for row in chunk])
            .values_list("assessment_id", "item_id", "value")
        ):
            answers.setdefault(attempt, {})[item_codes.get(item)] = value
        for pk, version, started_at, by_expectation, by_category, overall, track in chunk:
            given = answers.get(pk, {})
            yield (
                [pseudonym(pk), version, timezone.localtime(started_at).strftime("%Y-%m")]
                + [given.get(item.code, "") for item in items]
                + [by_expectation[code]["score"] for code in expectation_codes]
                + [by_category[code]["score"] for code in category_codes]
                + [overall, tracks.get(track, "")]
            )
