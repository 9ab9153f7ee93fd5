"""Secrets never reach a log: private links, password-reset links and share codes are blanked.

A student's private link is a bearer token in the URL (/q/<token>/…): whoever reads it can open,
share or delete the results. Django logs every 4xx and 5xx with its path, gunicorn's access log
records the path and the Referer, and a reverse proxy does the same, so every log line passes
through `redact` first: the Django handlers through `RedactSecrets`, gunicorn's access and error
logs through `RedactingGunicornLogger` (deploy/gunicorn.conf.py), nginx through the map in
deploy/nginx.conf. Redacting at the log rather than keeping tokens out of URLs keeps the private
link what students were promised: one link that reopens the attempt from any browser.
"""

import json
import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger

REDACTED = "[masqué]"

_SEP = r"(?:/|\\|%2[Ff])"
PATTERNS = [
    # The private link: /q/<token>… (in a path, a ?next= or a Referer; any case, any slash).
    (re.compile(rf"((?:^|\s|/|\\|%2[Ff])[qQ]{_SEP})[^/\\%\s?#&\"'<>]+"), rf"\g<1>{REDACTED}"),
    # Password reset: /reset/<uidb64>/<token>/ (Django's own URL).
    (
        re.compile(rf"(reset{_SEP})[^/%\s?#&\"'<>]+{_SEP}[^/%\s?#&\"'<>]+"),
        rf"\g<1>{REDACTED}/{REDACTED}",
    ),
    # Any long URL-safe run anywhere else: a token pasted in a query string, a form value.
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])"), REDACTED),
]


# An encoded control character (%0A…) is shown as an escape, never decoded into the log, so
# nobody can forge a line.
_ENCODED_CONTROL = re.compile(r"%(?:[01][0-9A-Fa-f]|7[Ff])")


def _decoded(text):
    """Percent-encoding undone until stable: a token with a few characters encoded, or encoded
    twice, is still a token."""
    for _round in range(3):
        decoded = unquote(_ENCODED_CONTROL.sub(lambda m: "\\x" + m[0][1:].lower(), text))
        if decoded == text:
            break
        text = decoded
    return text


def redact(text):
    """The text with its secrets blanked, read as the server decodes it."""
    text = _decoded(text)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and traceback with their secrets blanked (never drops one)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep it as Python would show it
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line (DJANGO_LOG_FORMAT=json), for a log collector. It formats the
    record RedactSecrets already rewrote, so the same secrets are blanked; the traceback is
    one field, never lines of its own."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class QuietClientErrors(logging.Filter):
    """A refused request (4xx) is logged on one line, without Django's traceback: it is the
    client's error, and a log where tracebacks mean a fault of ours is one people read."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True


class RedactingGunicornLogger(Logger):
    """gunicorn's logger, whose access and error logs both pass through RedactSecrets."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecrets) for f in log.filters):
                log.addFilter(RedactSecrets())
