"""Settings of `make bench` runs only: the production settings, plus the floor's URL.

bench/run.py starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings; the app itself
never mounts anything for benchmarks.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
