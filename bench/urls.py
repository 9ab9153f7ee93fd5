"""The app's URLs and the floor the step page is measured against (bench/floor.py)."""

from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

from .floor import floor

# The name is one of the pages a half-open two-factor session may see (assessments/two_factor.py).
urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *app_urlpatterns]
