"""Generated malformed requests on every POST endpoint: never a 500, nothing half-stored.

Each target first proves that a valid payload succeeds (so a blanket 400 cannot pass), then
sends its share of generated requests: missing and extra fields, wrong types, off-scale
values, unknown or foreign items, huge and empty bodies, other content types, tampered tokens
and codes. The shares add up to at least 10,000 requests under the "ci" hypothesis profile
(CI, `make test-all`); the default "dev" profile sends a tenth of each (tests/conftest.py).
"""

import json
from urllib.parse import quote, urlencode

from django.conf import settings as django_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Answer, Assessment, Cohort, ShareLookup
from assessments.services import share_assessment
from orientation.outline import questionnaire_content
from tests.assessments.factories import PASSWORD, adviser, cohort, completed_attempt
from tests.assessments.journey import start, step_data, step_url
from tests.utils import examples

PLAN = {
    "start": 1500,
    "step": 3000,
    "token_actions": 1200,
    "cohort_forms": 1200,
    "shared_results": 800,
    "accounts": 1500,
    "set_language": 900,
}
# The requests each target gets in this run: its whole share under the "ci" profile.
SENT = {target: examples(share) for target, share in PLAN.items()}
HUGE = "x" * 300_000
odd_values = st.sampled_from(
    ["", "0", "6", "-1", "3", "5 ", "1e3", "NaN", "null", "true", "<script>", "\x00", "٣", "%00"]
)
ordinary = st.one_of(odd_values, st.text(max_size=40), st.integers().map(str))
# A body over the upload limit costs a lot to build and parse: drawn about once in 20 values.
values = st.one_of(*[ordinary] * 19, st.just(HUGE))
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def payloads(known_fields):
    keys = st.one_of(st.sampled_from(known_fields), st.text(max_size=20))
    return st.dictionaries(keys, st.one_of(values, st.lists(values, max_size=3)), max_size=25)


encodings = st.sampled_from(
    ["form", "form", "multipart", "json", "text", "empty", "latin-1", "no boundary"]
)
# Refused by the request guard before any view, whatever the URL outside the admin.
REFUSED_ENCODINGS = {"multipart", "latin-1", "no boundary"}


def send(client, url, payload, encoding):
    """Posts `payload` encoded as `encoding`; never a 5xx. The response says whether the
    request guard had to refuse it before any view (`refused_early`), and checks it did."""
    if encoding == "form":
        body, kind = urlencode(payload, doseq=True), "application/x-www-form-urlencoded"
    elif encoding == "latin-1":
        body = urlencode(payload, doseq=True, encoding="latin-1", errors="replace") + "&é=%E9"
        kind = "application/x-www-form-urlencoded; charset=latin-1"
    elif encoding == "no boundary":
        body, kind = urlencode(payload, doseq=True), "multipart/form-data"
    elif encoding == "multipart":
        flat = {k: v for k, v in payload.items() if "\x00" not in k}
        body, kind = encode_multipart(BOUNDARY, flat), MULTIPART_CONTENT
    elif encoding == "json":
        body, kind = json.dumps(payload), "application/json"
    elif encoding == "text":
        body, kind = str(payload), "text/plain"
    else:
        body, kind = "", "application/x-www-form-urlencoded"
    response = client.generic("POST", url, body, content_type=kind)
    status = response.status_code
    assert status < 500, (url, encoding, status)
    size = len(body.encode() if isinstance(body, str) else body)
    if size > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        assert status == 413, (url, encoding, status)
        response.refused_early = True
    elif encoding in REFUSED_ENCODINGS and size:  # the test client sends no type without a body
        assert status == 400, (url, encoding, status)
        response.refused_early = True
    else:
        response.refused_early = False
    return response


def test_the_plan_covers_at_least_10000_requests():
    assert sum(PLAN.values()) >= 10_000


def test_start(client, version):
    before = Assessment.objects.count()
    assert client.post(reverse("assessments:start"), {"class_code": ""}).status_code == 302
    assert Assessment.objects.count() == before + 1
    sent = []

    @settings(FUZZ, max_examples=SENT["start"])
    @given(payload=payloads(["class_code", "without_code"]), encoding=encodings)
    def fuzz(payload, encoding):
        count = Assessment.objects.count()
        send(client, reverse("assessments:start"), payload, encoding)
        sent.append(1)
        created = Assessment.objects.count() - count
        assert created in (0, 1)
        if created:
            assert (
                Assessment.objects.order_by("-pk").first().cohort is None
                or Cohort.objects.active().exists()
            )

    fuzz()
    assert len(sent) >= SENT["start"] * 0.95


ON_SCALE = {"1", "2", "3", "4", "5"}
CONTROL = {"direction", "csrfmiddlewaretoken"}


def tampered(payload, codes):
    """Whether a step's post holds what its page cannot send: a value off the scale for one of
    its statements, or a field that is neither one of them nor a control."""
    for key, value in payload.items():
        if key in CONTROL:
            continue
        if key not in codes:
            return True
        if str(value) not in ON_SCALE and str(value) != "":
            return True
    return False


def test_step(client, version):
    token = start(client)
    content = questionnaire_content(version)
    first = content.step(1)
    valid = step_data(first)
    fields = [item.code for item in content.items] + ["direction", "csrfmiddlewaretoken"]
    assessment = Assessment.objects.by_token(token).get()
    probe = start(client)  # a second attempt, to prove a valid step still saves at the end
    sent = []
    tokens = st.one_of(
        st.just(token), st.text(alphabet="AZaz09_-", min_size=1, max_size=70), st.text(max_size=30)
    )

    step_codes = [item.code for item in first.items]
    # Near-valid posts find more than random ones: the whole step, with 1 to 3 answers
    # changed (off the scale, wrong type) or removed, or a foreign item added.
    mutations = st.lists(
        st.tuples(st.sampled_from(step_codes + fields), st.one_of(values, st.none())),
        min_size=1,
        max_size=3,
    )

    @settings(FUZZ, max_examples=SENT["step"])
    @given(
        payload=payloads(fields),
        mutation=mutations,
        encoding=encodings,
        target=tokens,
        number=st.sampled_from([1, 1, 1, 2, 4, 0, -1, 99]),
        mode=st.sampled_from(["mutated", "mutated", "random", "merged"]),
    )
    def fuzz(payload, mutation, encoding, target, number, mode):
        if mode == "mutated":
            payload = dict(valid)
            for code, value in mutation:
                if value is None:
                    payload.pop(code, None)
                else:
                    payload[code] = value
            target, number = token, 1
        elif mode == "merged":
            payload = {**valid, **payload}
        url = f"/q/{quote(target, safe='')}/etape/{number}/"
        before = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "value"))
        send(client, url, payload, encoding)
        sent.append(1)
        stored = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "value"))
        step_one = {item.pk for item in first.items}
        assert set(stored) <= step_one | {i.pk for i in content.step(2).items}
        assert all(1 <= value <= 5 for value in stored.values())
        if mode == "mutated" and tampered(payload, set(step_codes)):
            # A post no page can make (an answer off the scale, a foreign field) stores
            # nothing; one with answers missing keeps those given (the page says so).
            assert stored == before

    fuzz()
    assert len(sent) >= SENT["step"] * 0.95
    assert client.post(step_url(probe, 1), valid).status_code == 302
    assert Answer.objects.filter(
        assessment__token_digest=Assessment.objects.by_token(probe).get().token_digest
    ).count() == len(first.items)


def test_token_actions(client, version):
    done = completed_attempt()
    share_assessment(done)
    own = start(client)
    assert client.post(reverse("assessments:retake", args=[own])).status_code == 302
    before = Assessment.objects.count()
    sent = []
    routes = {
        "share": "partager",
        "revoke": "partager/desactiver",
        "retake": "refaire",
        "delete": "supprimer",
    }

    @settings(FUZZ, max_examples=SENT["token_actions"])
    @given(
        name=st.sampled_from(list(routes)),
        target=st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZabc0123456789_-", min_size=20, max_size=64),
        payload=payloads(["csrfmiddlewaretoken", "token"]),
        encoding=encodings,
    )
    def fuzz(name, target, payload, encoding):
        response = send(client, f"/q/{target}/{routes[name]}/", payload, encoding)
        sent.append(1)
        assert response.refused_early or response.status_code == 404
        assert Assessment.objects.count() == before

    fuzz()
    assert len(sent) >= SENT["token_actions"] * 0.95
    done.refresh_from_db()
    assert done.share_code is not None


def test_cohort_forms(client, version):
    owner = adviser()
    group = cohort(owner)
    client.force_login(owner)
    assert client.post(reverse("assessments:cohort-create"), {"name": "Valide"}).status_code == 302
    sent = []
    urls = [
        reverse("assessments:cohort-create"),
        reverse("assessments:cohort-rename", args=[group.pk]),
        reverse("assessments:cohort-archive", args=[group.pk]),
    ]

    @settings(FUZZ, max_examples=SENT["cohort_forms"])
    @given(
        url=st.sampled_from(urls), payload=payloads(["name", "code", "owner"]), encoding=encodings
    )
    def fuzz(url, payload, encoding):
        send(client, url, payload, encoding)
        sent.append(1)
        # Only what this request may have written is checked: the newest and the renamed.
        for name, owner_id, code in Cohort.objects.filter(
            pk__in=[group.pk, Cohort.objects.order_by("-pk").values("pk")[:1]]
        ).values_list("name", "owner_id", "code"):
            assert name.strip() and len(name) <= 80
            assert owner_id == owner.pk and len(code) == 6

    fuzz()
    assert len(sent) >= SENT["cohort_forms"] * 0.95


def test_shared_results(client, version):
    code = share_assessment(completed_attempt())
    client.force_login(adviser())
    assert client.post(reverse("assessments:shared-results"), {"code": code}).status_code == 303
    sent = []

    @settings(FUZZ, max_examples=SENT["shared_results"])
    @given(payload=payloads(["code"]), encoding=encodings)
    def fuzz(payload, encoding):
        ShareLookup.objects.all().delete()  # keep the rate limit out of the way
        response = send(client, reverse("assessments:shared-results"), payload, encoding)
        sent.append(1)
        assert response.refused_early or response.status_code in (200, 400, 404)

    fuzz()
    assert len(sent) >= SENT["shared_results"] * 0.95


def test_accounts(client, version):
    user = adviser("compte")
    assert (
        client.post(reverse("login"), {"username": "compte", "password": PASSWORD}).status_code
        == 302
    )
    client.post(reverse("logout"))
    password_hash = user.password
    sent = []
    urls = [
        reverse("login"),
        reverse("password_reset"),
        reverse("password_change"),
        reverse("logout"),
    ]

    @settings(FUZZ, max_examples=SENT["accounts"])
    @given(
        url=st.sampled_from(urls),
        payload=payloads(
            ["username", "password", "email", "old_password", "new_password1", "new_password2"]
        ),
        encoding=encodings,
    )
    def fuzz(url, payload, encoding):
        send(client, url, payload, encoding)
        sent.append(1)

    fuzz()
    assert len(sent) >= SENT["accounts"] * 0.95
    user.refresh_from_db()
    assert user.password == password_hash


def test_set_language(client, version):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    sent = []

    @settings(FUZZ, max_examples=SENT["set_language"])
    @given(
        payload=payloads(["language", "next"]),
        next_url=st.sampled_from(
            ["https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)", "/"]
        ),
        encoding=encodings,
    )
    def fuzz(payload, next_url, encoding):
        response = send(client, reverse("set_language"), {**payload, "next": next_url}, encoding)
        sent.append(1)
        location = "/" if response.refused_early else response.get("Location", "/")
        assert location.startswith("/") and not location.startswith(("//", "/\\"))

    fuzz()
    assert len(sent) >= SENT["set_language"] * 0.95
