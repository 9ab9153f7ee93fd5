"""QUALITY.md P8: a first visit stays light, and the trimmed Bootstrap keeps what pages use.

A first visit is the home page and every stylesheet, script and image it links, counted as
they are served: the page as the app sends it, static files gzipped as WhiteNoise stores them
at collectstatic (it keeps the smaller of the plain and compressed file). `make lighthouse`
and `make bench` measure the same bytes over HTTP.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from whitenoise.compress import Compressor

BUDGET_KB = 25
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')
FRONTEND = Path(settings.BASE_DIR) / "frontend"


def served_bytes(url):
    """A static file's size on the wire for a browser that accepts gzip."""
    data = Path(finders.find(url.removeprefix(settings.STATIC_URL))).read_bytes()
    return min(len(data), len(Compressor.compress_gzip(data)))


def first_visit(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="gzip, br")
    html = response.content.decode()
    sizes = {"/": len(response.content)}
    sizes.update({url: served_bytes(url) for url in set(ASSET.findall(html))})
    return sizes


def built_css():
    return Path(finders.find("css/bootstrap.css")).read_text()


@pytest.mark.django_db  # the home page reads the current questionnaire's length
def test_a_first_visit_transfers_at_most_25_kb(client):
    sizes = first_visit(client)
    detail = ", ".join(f"{url} {size / 1024:.1f} KB" for url, size in sizes.items())
    assert sum(sizes.values()) <= BUDGET_KB * 1024, detail


@pytest.mark.django_db
def test_the_home_page_links_the_trimmed_bootstrap_not_the_full_one(client):
    urls = first_visit(client)
    assert f"{settings.STATIC_URL}css/bootstrap.css" in urls
    assert not any("bootstrap.min" in url for url in urls)


def template_classes():
    """Class names written in the templates; a name built from a variable is cut at the
    variable, so `alert-{{ tag }}` gives nothing to check (the build lists those by hand)."""
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            for name in re.sub(r"\{[{%].*?[}%]\}", " ", value).split():
                if not name.endswith("-"):
                    yield template.name, name


def test_every_bootstrap_class_a_template_uses_is_in_the_build():
    bootstrap = set((FRONTEND / "bootstrap-classes.txt").read_text().split())
    built = set(re.findall(r"\.(-?[A-Za-z_][\w-]*)", built_css()))
    missing = {
        f"{name} ({template})"
        for template, name in template_classes()
        if name in bootstrap and name not in built
    }
    assert not missing, f"run `make css`, then commit static/css/bootstrap.css: {sorted(missing)}"


@pytest.mark.parametrize(
    "name",
    [
        # What crispy-bootstrap5 adds to fields in Python (crispy_field), not in a template.
        "form-control",
        "form-select",
        "form-check-input",
        "is-invalid",
        "invalid-feedback",
        # base.html: alert-{{ message.tags }}, one per message level shown.
        "alert-success",
        "alert-info",
        "alert-warning",
        "alert-danger",
        # Buttons that static/js/student.js makes.
        "btn-outline-dark",
        "btn-sm",
    ],
)
def test_the_build_keeps_classes_no_template_spells_out(name):
    assert re.search(rf"\.{re.escape(name)}(?![\w-])", built_css())
