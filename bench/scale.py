"""make bench-scale: the adviser pages over a million stored questionnaires, on PostgreSQL.

It needs DATABASE_URL naming a scratch PostgreSQL database (it gets the data). It migrates,
loads the shipped questionnaire and, unless the database already holds SCALE_ATTEMPTS
completed questionnaires of that version, seeds them in bulk with INSERT … SELECT over
generate_series: classes of 30 spread over 1,000 advisers and a year, every answer (73 a
questionnaire), and the stored scores the dashboards read. The answers follow a simple
latent trait (each attempt leans one way, with noise), so reliability figures look like data.

Then it times, in this process and through the whole Django stack (middleware, view,
template), the national dashboard (an admin, every attempt), one adviser's overview (their
own classes), a class dashboard and the item-quality report: medians of SCALE_RUNS runs after
one warm-up. It prints the sizes, the timings against QUALITY.md P4 and the EXPLAIN ANALYZE
of the national dashboard's slowest queries, and saves the figures as JSON in bench-results/.
"""

import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run import configure, cpu_model, install_app, save

ATTEMPTS = int(os.environ.get("SCALE_ATTEMPTS", "1000000"))
RUNS = int(os.environ.get("SCALE_RUNS", "5"))
CLASS_SIZE = 30
ADVISERS = 1000
TARGETS_MS = {"national dashboard": 300, "cohort dashboard": 50}


def seed(version, content):
    """ATTEMPTS completed questionnaires, written by the database itself."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from assessments.accounts import advisers_group
    from assessments.models import (
        Answer,
        Assessment,
        Block,
        CategoryScore,
        Cohort,
        ExpectationScore,
    )
    from assessments.services import save_step, start_assessment

    # One real completion gives a genuine stored result to copy: the pages that read it work.
    model, _token = start_assessment()
    save_step(model, {item.pk: 3 for item in content.items})
    model.refresh_from_db()

    User = get_user_model()
    password = make_password(None)  # unusable: nobody logs in as these advisers
    advisers = User.objects.bulk_create(
        User(username=f"scale-{secrets.token_hex(4)}-{n}", password=password)
        for n in range(ADVISERS)
    )
    advisers_group().user_set.add(*advisers)
    classes = -(-ATTEMPTS // CLASS_SIZE)
    bands = list(content.bands)  # highest first
    band_case = "CASE " + " ".join(
        f"WHEN {{score}} >= {band.min_score} THEN '{band.code}'" for band in bands
    )
    band_case += f" ELSE '{bands[-1].code}' END"
    expectation_ids = [e.pk for e in content.expectations]
    category_ids = [s.pk for s in content.steps if s.kind == "expectations"]
    track_ids = [t.pk for t in content.tracks]
    item_ids = [i.pk for i in content.items]
    prefix = f"s{secrets.token_hex(2)}"

    def run(label, sql, params=()):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        print(f"  {label}: {time.perf_counter() - began:.0f} s", flush=True)

    a, c = Assessment._meta.db_table, Cohort._meta.db_table
    print(f"Seeding {ATTEMPTS:,} completed questionnaires in {classes:,} classes…", flush=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Django's foreign keys are checked at commit: 100 million queued checks made the
            # commit alone take longer than the inserts. The seed's rows are consistent by
            # construction, so a superuser (as on a scratch database) skips those triggers, as
            # pg_restore --disable-triggers does.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
        run(
            "classes",
            f"""INSERT INTO {c} (owner_id, name, code, created_at)
                SELECT (%s::int[])[1 + g %% {ADVISERS}], 'Classe ' || g, %s || g,
                       now() - interval '1 year'
                FROM generate_series(1, %s) g""",
            [[u.pk for u in advisers], prefix, classes],
        )
        first_class = Cohort.objects.filter(code=f"{prefix}1").values_list("pk", flat=True)[0]
        # Each attempt's lean (0–4) drives its answers and scores; flags on a few percent.
        run(
            "questionnaires",
            f"""INSERT INTO {a} (token_digest, version_id, cohort_id, started_at, updated_at,
                    completed_at, result, overall_score, top_track_id, flag_straight_lining,
                    flag_too_fast, flag_contradictory)
                SELECT encode(sha256((%s || g)::bytea), 'hex'), %s, %s + (g - 1) / {CLASS_SIZE},
                       t - interval '12 minutes', t, t, %s::jsonb, 10 + (g %% 5) * 20,
                       (%s::int[])[1 + (g * 7) %% %s],
                       g %% 23 = 0, g %% 31 = 0, g %% 37 = 0
                FROM generate_series(1, %s) g,
                     LATERAL (SELECT now() - (g %% 365) * interval '1 day'
                                           - (g %% 480) * interval '1 minute' AS t) moment""",
            [
                prefix,
                version.pk,
                first_class,
                json.dumps(model.result),
                track_ids,
                len(track_ids),
                ATTEMPTS,
            ],
        )
        seeded = f"SELECT id FROM {a} WHERE cohort_id >= %s AND version_id = %s"
        run(
            "answers",
            f"""INSERT INTO {Answer._meta.db_table} (assessment_id, item_id, value)
                SELECT s.id, i, 1 + ((s.id %% 5) + (hashtext(s.id || '-' || i) & 3)) * 4 / 7
                FROM ({seeded}) s, unnest(%s::int[]) i""",
            [first_class, version.pk, item_ids],
        )
        for label, model_, key, ids in (
            ("attendu scores", ExpectationScore, "expectation_id", expectation_ids),
            ("category scores", CategoryScore, "category_id", category_ids),
        ):
            score = "least(100, (s.id %% 5) * 20 + (hashtext(s.id || '.' || k) & 31))"
            run(
                label,
                f"""INSERT INTO {model_._meta.db_table} (assessment_id, {key}, score, band)
                    SELECT s.id, k, {score}, {band_case.format(score=score)}
                    FROM ({seeded}) s, unnest(%s::int[]) k""",
                [first_class, version.pk, ids],
            )
        # Class blocks as completing one by one would have made them (assessments/blocks.py):
        # MIN_GROUP_SIZE questionnaires each in completion order, the last one open if short.
        k, b = settings.MIN_GROUP_SIZE, Block._meta.db_table
        ordinal = (
            f"SELECT id, cohort_id, version_id, completed_at, (row_number() OVER "
            f"(PARTITION BY cohort_id ORDER BY completed_at, id) - 1) / {k} + 1 AS number "
            f"FROM {a} WHERE cohort_id >= %s AND version_id = %s"
        )
        run(
            "class blocks",
            f"""INSERT INTO {b} (cohort_id, retake, number, closed_at)
                SELECT cohort_id, false, number,
                       CASE WHEN count(*) >= {k} THEN max(completed_at) END
                FROM ({ordinal}) s GROUP BY cohort_id, number""",
            [first_class, version.pk],
        )
        run(
            "block members",
            f"""UPDATE {a} SET block_id = {b}.id FROM ({ordinal}) s
                JOIN {b} ON {b}.cohort_id = s.cohort_id AND {b}.number = s.number
                WHERE {a}.id = s.id""",
            [first_class, version.pk],
        )
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for model_ in (Assessment, Answer, ExpectationScore, CategoryScore, Cohort):
            cursor.execute(f"VACUUM ANALYZE {model_._meta.db_table}")
    print(f"  vacuum analyze: {time.perf_counter() - began:.0f} s", flush=True)


def sizes():
    from django.db import connection

    from assessments.models import Answer, Assessment, CategoryScore, ExpectationScore

    rows = {}
    with connection.cursor() as cursor:
        for model in (Assessment, Answer, ExpectationScore, CategoryScore):
            table = model._meta.db_table
            cursor.execute(
                "SELECT reltuples::bigint, pg_total_relation_size(%s) FROM pg_class "
                "WHERE relname = %s",
                [table, table],
            )
            estimated, size = cursor.fetchone()
            rows[table] = {"rows": estimated, "mb": round(size / 2**20)}
    return rows


def timed(client, path):
    """Median server time in ms of RUNS requests after a warm-up, and the queries of one
    (warm: the content of the published versions is read once per process)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, SERVER_NAME="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, SERVER_NAME="127.0.0.1")
    assert response.status_code == 200, (path, response.status_code)
    queries = list(captured.captured_queries)  # the next request's start clears the log
    times = []
    for _run in range(RUNS):
        began = time.perf_counter()
        client.get(path, SERVER_NAME="127.0.0.1")
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), queries


def explain(queries, count=2):
    """EXPLAIN ANALYZE of the slowest queries captured (Django records each one's time)."""
    from django.db import connection

    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:count]
    plans = []
    with connection.cursor() as cursor:
        for query in slowest:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "make bench-scale needs PostgreSQL: DATABASE_URL=postgres://…/scratch make bench-scale"
        )
    configure(Path(tempfile.mkdtemp(prefix="reperes-scale-")))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
    version = install_app()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from assessments import tallies
    from assessments.models import Assessment, Cohort
    from orientation.outline import questionnaire_content

    content = questionnaire_content(version)
    stored = Assessment.objects.completed().filter(version=version).count()
    if stored < ATTEMPTS:
        began = time.perf_counter()
        seed(version, content)
        print(f"Seeded in {time.perf_counter() - began:.0f} s", flush=True)
        stored = Assessment.objects.completed().filter(version=version).count()
    if tallies.totals(version)[0].get("completed", (0, 0))[0] != stored:
        # The seed writes around the services, so the national tallies are counted afterwards,
        # by the same command an operator would run.
        began = time.perf_counter()
        call_command("rebuild_tallies")
        print(f"Tallies rebuilt in {time.perf_counter() - began:.0f} s", flush=True)

    User = get_user_model()
    admin = User.objects.filter(is_superuser=True, username="scale-admin").first()
    admin = admin or User.objects.create_superuser("scale-admin", password=None)
    cohort = Cohort.objects.filter(assessments__version=version).order_by("-pk").first()
    national, own, one = Client(), Client(), Client()
    national.force_login(admin)
    # The admin's session as after the second factor, or the dashboard is a redirect to it.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    phone, _created = TOTPDevice.objects.get_or_create(
        user=admin, confirmed=True, defaults={"name": "bench"}
    )
    session = national.session
    session[DEVICE_ID_SESSION_KEY] = phone.persistent_id
    session.save()
    own.force_login(cohort.owner)
    one.force_login(cohort.owner)
    pages = {
        "national dashboard": (national, reverse("assessments:overview")),
        "adviser overview": (own, reverse("assessments:overview")),
        "cohort dashboard": (one, reverse("assessments:cohort", args=[cohort.pk])),
        "item-quality report": (national, reverse("assessments:item-quality", args=[version.pk])),
    }
    figures, captured = {}, {}
    for name, (client, path) in pages.items():
        figures[name], captured[name] = timed(client, path)

    print(
        f"\nRepères — make bench-scale — PostgreSQL, {stored:,} completed questionnaires; "
        f"{os.cpu_count()} cores ({cpu_model()}); server time in this process, "
        f"median of {RUNS} after a warm-up\n"
    )
    table_sizes = sizes()
    for table, size in table_sizes.items():
        print(f"{table:36} {size['rows']:>13,} rows {size['mb']:>8,} MB")
    print(f"\n{'page':24} {'ms':>9} {'queries':>8} {'target ms':>10}")
    for name, ms in figures.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("met" if ms <= target else "MISSED")
        print(f"{name:24} {ms:9.1f} {len(captured[name]):8d} {target or '':>10} {verdict}")
    for name in ("national dashboard", "cohort dashboard"):
        for sql, plan in explain(captured[name]):
            print(f"\nEXPLAIN ANALYZE ({name}) {sql[:300]}{'…' if len(sql) > 300 else ''}\n{plan}")
    path = save(
        "scale-postgresql",
        {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "completed": stored,
            "runs": RUNS,
            "tables": table_sizes,
            "ms": figures,
            "queries": {name: len(q) for name, q in captured.items()},
            "targets_ms": TARGETS_MS,
        },
    )
    print(f"\nSaved {path.relative_to(Path(__file__).resolve().parent.parent)}")


if __name__ == "__main__":
    sys.exit(main())
