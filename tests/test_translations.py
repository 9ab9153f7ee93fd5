"""The English catalogue is complete and the committed .mo matches the .po."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries(path):
    """(msgid, msgid_plural, [msgstr…], fuzzy, context) for each entry of a .po file."""
    entries, current, key, fuzzy, context = [], None, None, False, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context = ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            if current:
                entries.append(current)
            current = {
                "msgid": "",
                "plural": None,
                "msgstr": [],
                "fuzzy": fuzzy,
                "context": context,
            }
            fuzzy, key, context = False, "msgid", None
            current["msgid"] = ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key = "plural"
            current["plural"] = ast.literal_eval(line[13:])
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and current:
            if key == "msgstr":
                current["msgstr"][-1] += ast.literal_eval(line)
            else:
                current[key] += ast.literal_eval(line)
    if current:
        entries.append(current)
    return [entry for entry in entries if entry["msgid"]]


def test_every_string_has_an_english_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 150
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"]) or e["fuzzy"]]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries(LOCALE / "django.po"):
        if entry["context"]:
            assert compiled.pgettext(entry["context"], entry["msgid"]) == entry["msgstr"][0]
        elif entry["plural"]:
            assert compiled.ngettext(entry["msgid"], entry["plural"], 1) == entry["msgstr"][0]
            assert compiled.ngettext(entry["msgid"], entry["plural"], 2) == entry["msgstr"][1]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
