"""Never a 500 from a request (QUALITY.md R6): every URL of the site, with the CSRF check on as
in production, gets malformed charsets, content types and bodies, and answers with one of the
project's 4xx pages, security headers included. Nothing is stored."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Answer, Assessment
from tests.assessments.factories import adviser, cohort
from tests.assessments.journey import start
from tests.utils import FormClient, log_in_verified

# (content type, body, whether it must be refused with 400 wherever it is sent)
MALFORMED = [
    ("application/x-www-form-urlencoded; charset=latin-1", b"class_code=%E9t%E9&email=%E9", True),
    ("application/x-www-form-urlencoded; charset=utf-9999", b"a=1", True),
    ("application/x-www-form-urlencoded; charset=utf-16", "a=1".encode("utf-16"), True),
    (
        "multipart/form-data",
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
        True,
    ),
    ("multipart/form-data; boundary=", b"garbage", True),
    ("multipart/form-data; boundary=x; charset=latin-1", b"--x--", True),
    ("application/x-www-form-urlencoded", b"a=%FF%FE%00&b=\xff\xfe", False),
    ("multipart/form-data; boundary=x", b"not multipart at all", False),
    ("text/plain; charset=latin-1", b"\xe9", False),
    ("application/json", b"{not json", False),
    ("", b"a=1", False),
]


def every_path(token, group, version):
    """One concrete path per URL pattern of the site, plus some that match nothing."""
    paths = ["/nulle-part/", "/q/inconnu/", "/admin/inconnu/", "/static/inconnu.css"]

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    for route in walk(get_resolver().url_patterns):
        route = route.lstrip("^").rstrip("$")
        concrete = (
            route.replace("<token:token>", token)
            .replace("<int:number>", "1")
            .replace("<int:pk>", str(group.pk))
            .replace("<int:version_pk>", str(version.pk))
            .replace("<str:code>", group.code)
            .replace("<uidb64>", "MQ")
            .replace("<token>", "abc-def")
            .replace("<path:object_id>", "1")
            .replace("<str:app_label>", "assessments")
            .replace("<path:content_type_id>", "1")
            .replace("<path:object_id>", "1")
        )
        if "<" in concrete or "(?P" in concrete or "\\" in concrete:
            continue  # a pattern of the admin's that needs a real object: covered by its list
        paths.append("/" + concrete)
    return sorted(set(paths))


@pytest.mark.parametrize("enforce_csrf", [True, False])
def test_malformed_bodies_on_every_url_get_a_4xx_page_with_the_headers(
    version, admin_user, enforce_csrf
):
    student = FormClient(enforce_csrf_checks=enforce_csrf)
    token = start(FormClient())
    owner = adviser()
    group = cohort(owner)
    staff = log_in_verified(FormClient(enforce_csrf_checks=enforce_csrf), admin_user)
    stored = Assessment.objects.count()
    paths = every_path(token, group, version)
    assert len(paths) > 40
    for client in (student, staff):
        for path in paths:
            for content_type, body, refused in MALFORMED:
                response = client.generic("POST", path, body, content_type=content_type)
                status = response.status_code
                assert status < 500, (path, content_type, status)
                assert not refused or status == 400, (path, content_type, status)
                assert response["X-Content-Type-Options"] == "nosniff", (path, content_type)
                assert "default-src 'self'" in response["Content-Security-Policy"], path
    # No answer was stored anywhere; with the CSRF check on, not even an attempt (without it, a
    # post to the start form with no usable field legitimately starts one, without a class).
    assert not Answer.objects.exists()
    if enforce_csrf:
        assert Assessment.objects.count() == stored
    assert not Assessment.objects.filter(cohort__isnull=False).exists()


def test_a_latin1_form_gets_the_projects_400_page(client, version):
    response = client.generic(
        "POST",
        reverse("assessments:start"),
        b"class_code=%E9",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in response.content.decode()


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, version, settings):
    big = b"a=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.generic(
        "POST",
        reverse("assessments:start"),
        big,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert Assessment.objects.count() == 0


def test_no_multipart_on_student_forms(client, version):
    response = client.post(reverse("assessments:start"), {"class_code": ""}, content_type=None)
    assert response.status_code == 302  # URL-encoded, as browsers send it, starts
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    response = client.generic(
        "POST",
        reverse("assessments:start"),
        encode_multipart(BOUNDARY, {"class_code": ""}),
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 400
    assert Assessment.objects.count() == 1
