"""CSV exports: French-spreadsheet format, formula-safe, threshold, constant memory."""

import csv
import io
import os
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import tallies
from assessments.exports import attempt_rows, pseudonym, safe_cell, stream_csv
from assessments.models import Assessment
from orientation.outline import questionnaire_content
from tests.utils import text

from .factories import adviser, cohort, completed_attempt, copies


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.fixture
def filled(version, settings):
    owner = adviser()
    group = cohort(owner, name='=HYPERLINK("http://x") Première élève')
    for _n in range(settings.MIN_GROUP_SIZE):
        completed_attempt(group)
    tallies.rebuild()  # the national summary, for the administrators' export
    return owner, group


def spreadsheet(response, decimal=","):
    """The file as a spreadsheet of that language reads it: the separator sniffed, a cell that
    is a number in that language read as a number, anything else as text."""
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    dialect = csv.Sniffer().sniff(body[1:].splitlines()[0])
    rows = list(csv.reader(io.StringIO(body[1:]), dialect))

    def cell(value):
        if re.fullmatch(rf"-?\d+(\{decimal}\d+)?", value):
            return float(value.replace(decimal, ".")) if decimal in value else int(value)
        return value

    return dialect.delimiter, [[cell(value) for value in row] for row in rows]


def by_header(rows):
    header, *data = rows
    assert len(set(header)) == len(header)  # one header per column
    assert all(len(row) == len(header) for row in data)  # every row under them
    return [dict(zip(header, row, strict=True)) for row in data]


def test_aggregates_open_in_a_french_spreadsheet(client, filled):
    owner, group = filled
    client.force_login(owner)
    response = client.get(reverse("assessments:cohort-export-aggregates", args=[group.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    delimiter, rows = spreadsheet(response)
    assert delimiter == ";"
    assert rows[0][:5] == ["rubrique", "code", "libellé", "effectif", "moyenne"]
    records = by_header(rows)
    cg = next(r for r in records if r["code"] == "CG" and r["rubrique"] == "catégorie")
    # The mean is a number for a French spreadsheet (75,0), not the text « 75.0 ».
    assert cg["moyenne"] == 75.0 and cg["% Point d'appui"] == 100 and cg["effectif"] == 10
    assert any(r["code"] == "CTS4" and r["libellé"] == "Numérique et bureautique" for r in records)
    track = next(r for r in records if r["rubrique"] == "formation suggérée en premier")
    assert track["% Point d'appui"] == "" and track["% des questionnaires terminés"] == 100
    flags = [r for r in records if r["rubrique"] == "qualité des réponses"]
    assert [r["code"] for r in flags] == [
        "réponses identiques",
        "trop rapide",
        "réponses contradictoires",
    ]
    assert all(isinstance(r["% des questionnaires terminés"], int) for r in flags), flags


def test_aggregates_in_english_use_english_labels_and_decimal_points(client, filled, version):
    owner, group = filled
    client.force_login(owner)
    url = reverse("assessments:cohort-export-aggregates", args=[group.pk])
    response = client.get(url, headers={"accept-language": "en"})
    delimiter, rows = spreadsheet(response, decimal=".")
    assert delimiter == ","
    records = by_header(rows)
    assert rows[0][:5] == ["section", "code", "label", "count", "mean"]
    cg = next(r for r in records if r["code"] == "CG1")
    assert cg["mean"] == 75.0 and cg["section"] == "expectation"
    assert cg["label"] == questionnaire_content(version, "en").expectation("CG1").label


def test_aggregates_as_xlsx_keep_numbers_as_numbers_and_text_as_text(client, filled):
    owner, group = filled
    client.force_login(owner)
    url = reverse("assessments:cohort-export-aggregates", args=[group.pk])
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="reperes-' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    response.close()
    sheet = workbook.worksheets[0]
    assert sheet.title == '=HYPERLINK("http   x") Première'  # no : / in a sheet name
    rows = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    records = by_header(rows)
    cg = next(r for r in records if r["code"] == "CG1")
    assert cg["moyenne"] == 75.0 and isinstance(cg["effectif"], int)
    assert all(sheet.cell(row=1, column=c).data_type == "s" for c in range(1, 6))


# db: closing the response sends request_finished, which looks at the database connections.
def test_a_cell_that_looks_like_a_formula_stays_text_in_xlsx(db):
    from assessments.exports import xlsx_response

    response = xlsx_response("x.xlsx", "=feuille", [["=SUM(A1)", 1, 2.5]])
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    response.close()
    assert sheet["A1"].value == "=SUM(A1)" and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == 1 and sheet["C1"].value == 2.5


def rows_export(client, **params):
    return client.get(reverse("assessments:overview-export-rows"), params)


def test_one_pseudonymous_row_per_completed_attempt_for_administrators(
    admin_client, filled, version
):
    owner, group = filled
    rows = read_csv(rows_export(admin_client))
    header, data = rows[0], rows[1:]
    content = questionnaire_content(version)
    assert header[:3] == ["pseudonyme", "version", "mois"]
    assert header[3 : 3 + len(content.items)] == [item.code for item in content.items]
    assert len(data) == 10
    pks = set(Assessment.objects.values_list("pk", flat=True))
    assert {row[0] for row in data} == {pseudonym(pk) for pk in pks}
    assert all(row[0] not in {str(pk) for pk in pks} for row in data)
    first = data[0]
    # The month the questionnaire was started, never the day, and no class.
    assert first[1] == "2026-1" and first[2] == timezone.localdate().strftime("%Y-%m")
    assert group.code not in {cell for row in rows for cell in row}
    assert first[header.index("CG1")] == "75" and first[header.index("score global")] == "75"
    assert first[header.index("CG1-c")] == "2"  # the raw answer, as given


def test_a_month_with_fewer_than_the_minimum_is_left_out_of_the_rows(admin_client, filled):
    owner, group = filled
    lonely = completed_attempt(group, now=timezone.now() - timedelta(days=70))
    rows = read_csv(rows_export(admin_client))
    assert len(rows) - 1 == 10
    assert pseudonym(lonely.pk) not in {row[0] for row in rows}
    for _n in range(9):
        completed_attempt(group, now=lonely.completed_at)
    rows = read_csv(rows_export(admin_client))
    assert len(rows) - 1 == 20 and pseudonym(lonely.pk) in {row[0] for row in rows}


def test_advisers_get_no_row_per_student(client, filled):
    owner, group = filled
    client.force_login(owner)
    assert rows_export(client).status_code == 403
    page = text(client.get(reverse("assessments:cohort", args=[group.pk])))
    assert "Une ligne par questionnaire" not in page and "reponses.csv" not in page
    assert "jamais une ligne par élève" in page


def test_cells_that_could_run_as_formulas_are_neutralised():
    dangerous = ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx", "\0x", " =1+1", "\n=1+1")
    for cell in (*dangerous, "＝1+1", "＋33", "－2", "＠SUM(A1)", "\u3000=1"):
        assert safe_cell(cell) == "'" + cell
    assert safe_cell("Élève") == "Élève" and safe_cell(None) == "" and safe_cell(75) == 75
    rows = read_csv(stream_csv("x.csv", [['=HYPERLINK("http://x")', "é"]]))
    assert rows == [['\'=HYPERLINK("http://x")', "é"]]


def test_no_export_below_the_threshold(client, version):
    owner = adviser()
    group = cohort(owner)
    completed_attempt(group)
    client.force_login(owner)
    url = reverse("assessments:cohort-export-aggregates", args=[group.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:cohort", args=[group.pk])
    assert "Pas d'export sous 10 questionnaires terminés" in text(response)


def resident_bytes():
    """The process's resident memory now (Linux), without tracing every allocation."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_an_export_of_100000_rows_streams_in_constant_memory(version):
    copies(completed_attempt(), 99_999, bare=True)
    content = questionnaire_content(version)
    labels = {k: k for k in ("pseudonym", "version", "month", "overall", "track")}
    response = stream_csv("all.csv", attempt_rows(Assessment.objects.all(), content, labels))
    before = highest = resident_bytes()
    lines = total = 0
    for number, chunk in enumerate(response.streaming_content):
        lines += chunk.count(b"\r\n")
        total += len(chunk)
        if number % 500 == 0:
            highest = max(highest, resident_bytes())
    assert lines == 100_001
    assert total > 15_000_000  # about 18 MB of CSV went through …
    # … while memory grew by at most one chunk's worth. Building the rows in memory first
    # would take hundreds of megabytes (about 7 MB of decoded scores per 1,000 rows).
    assert highest - before < 40_000_000, highest - before


def test_the_class_page_offers_the_figures_as_csv_and_as_xlsx(client, filled):
    owner, group = filled
    client.force_login(owner)
    page = text(client.get(reverse("assessments:cohort", args=[group.pk])))
    url = reverse("assessments:cohort-export-aggregates", args=[group.pk])
    assert f'href="{url}?">fichier CSV</a>' in page
    assert f'href="{url}?format=xlsx">classeur Excel (XLSX)</a>' in page
