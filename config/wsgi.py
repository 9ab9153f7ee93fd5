import os

from django.core.wsgi import get_wsgi_application
from django.utils.http import parse_header_parameters

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# After setup: the guard's module imports Django's auth.
from config.middleware import UNPARSABLE  # noqa: E402


def refuse_unparsable_content_type(app):
    """Django parses Content-Type while it builds the request, before any middleware runs: a
    header it cannot parse (an RFC 2231 parameter in an unknown encoding) would escape as a
    bare 500. Such a request keeps going with a type the request guard refuses instead."""

    def application(environ, start_response):
        try:
            parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        except ValueError:
            environ["CONTENT_TYPE"] = UNPARSABLE
        return app(environ, start_response)

    return application


application = refuse_unparsable_content_type(django_application)
