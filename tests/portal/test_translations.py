"""The Dutch catalogue is complete, up to date with the code, and compiled.

Source strings are English; Dutch is the default language. When one of these tests fails:

    .venv/bin/python manage.py makemessages -l nl -l en --ignore=.venv --ignore=node_modules \
        --ignore=var --ignore=tests --ignore=benchmarks --no-obsolete
    # translate every new or fuzzy entry in locale/nl/LC_MESSAGES/django.po
    .venv/bin/python manage.py compilemessages --ignore=.venv

and commit the .po and .mo files.
"""

import gettext
import os
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

# The same folders the developers' makemessages command leaves out.
IGNORED = ("node_modules", "var", "tests", "benchmarks")
NOT_COPIED = {".venv", ".git", ".ruff_cache", "__pycache__", *IGNORED}


# A small .po reader (polib is not a dependency of the project)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def is_header(self):
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_translated(self):
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def is_fuzzy(self):
        return "fuzzy" in self.flags

    def describe(self):
        where = ", ".join(self.references[:2]) or "?"
        return f"{self.msgid!r} ({where})"


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text):
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path):
    """Return the entries of a .po file, obsolete (#~) entries left out."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", Path(path).read_text(encoding="utf-8")):
        entry, current = Entry(), None
        for line in block.splitlines():
            if line.startswith("#~") or not line.strip():
                continue
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                keyword, index, value = match.groups()
                current = (keyword, int(index)) if index else (keyword, 0)
                _set(entry, current, _unquote(value))
            else:
                _set(entry, current, _get(entry, current) + _unquote(line))
        if current is not None:
            entries.append(entry)
    return entries


def _get(entry, key):
    keyword, index = key
    return entry.msgstr[index] if keyword.startswith("msgstr") else getattr(entry, keyword)


def _set(entry, key, value):
    keyword, index = key
    if keyword.startswith("msgstr"):
        entry.msgstr[index] = value
    else:
        setattr(entry, keyword, value)


def messages(entries):
    return [entry for entry in entries if not entry.is_header]


def untranslated_or_fuzzy(entries):
    return [e.describe() for e in messages(entries) if e.is_fuzzy or not e.is_translated]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
TAG = re.compile(r"</?([a-z][a-z0-9]*)\b")


def _mo_message_count(path):
    """The number of strings in a GNU .mo file, the header included."""
    data = Path(path).read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    return struct.unpack(order + "I", data[8:12])[0]


def _lookup(catalogue, entry, n):
    if entry.msgid_plural and entry.msgctxt is not None:
        return catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
    if entry.msgid_plural:
        return catalogue.ngettext(entry.msgid, entry.msgid_plural, n)
    if entry.msgctxt is not None:
        return catalogue.pgettext(entry.msgctxt, entry.msgid)
    return catalogue.gettext(entry.msgid)


# (a) Complete


def test_the_dutch_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_po(NL_PO)
    header = next(entry for entry in entries if entry.is_header)
    assert not header.is_fuzzy, "the header of the Dutch catalogue is marked fuzzy"
    assert "Language: nl" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert len(messages(entries)) > 400
    problems = untranslated_or_fuzzy(entries)
    assert not problems, "Translate these entries in locale/nl/LC_MESSAGES/django.po:\n" + (
        "\n".join(problems)
    )


def test_dutch_translations_keep_every_placeholder_and_html_tag():
    problems = []
    for entry in messages(read_po(NL_PO)):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for translation in entry.msgstr.values():
            if not translation:
                continue
            if sorted(set(PLACEHOLDER.findall(translation))) != sorted(
                set().union(*(PLACEHOLDER.findall(source) for source in sources))
            ):
                problems.append(f"placeholders differ: {entry.describe()}")
            if sorted(TAG.findall(translation)) != sorted(TAG.findall(entry.msgid)):
                problems.append(f"HTML tags differ: {entry.describe()}")
    assert not problems, "\n".join(problems)


# (b) Up to date with the code


def test_the_dutch_catalogue_covers_every_string_in_the_code(tmp_path):
    """A string added to the code without a Dutch translation fails here."""
    for tool in ("xgettext", "msgmerge", "msguniq"):
        assert shutil.which(tool), (
            f"{tool} is missing: install gettext (scripts/install-system-packages.sh)"
        )
    copy = tmp_path / "portal-copy"
    copy.mkdir()
    for item in ROOT.iterdir():
        if item.name in NOT_COPIED:
            continue
        if item.is_dir():
            shutil.copytree(
                item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(item, copy / item.name)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    command = [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete"]
    command += [f"--ignore={name}" for name in (".venv", *IGNORED)]
    result = subprocess.run(  # noqa: S603
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr

    refreshed = read_po(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    problems = untranslated_or_fuzzy(refreshed)
    assert not problems, (
        "These strings in the code have no (or only a fuzzy) Dutch translation; run "
        "makemessages and translate them in locale/nl/LC_MESSAGES/django.po:\n"
        + "\n".join(problems)
    )
    committed = {(e.msgctxt, e.msgid) for e in messages(read_po(NL_PO))}
    current = {(e.msgctxt, e.msgid) for e in messages(refreshed)}
    assert committed == current, (
        "locale/nl/LC_MESSAGES/django.po is not up to date with the code; run makemessages. "
        f"New: {sorted(m for _, m in current - committed)}; "
        f"gone: {sorted(m for _, m in committed - current)}"
    )


# (c) Compiled


def test_the_dutch_mo_file_is_compiled_from_the_current_po():
    with NL_MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Organisations") == "Organisaties"
    assert catalogue.gettext("School board") == "Schoolbestuur"
    assert catalogue.gettext("Under reservation") == "Onder voorbehoud"
    assert catalogue.ngettext("%(counter)s organisation", "%(counter)s organisations", 1) == (
        "%(counter)s organisatie"
    )
    assert catalogue.ngettext("%(counter)s organisation", "%(counter)s organisations", 3) == (
        "%(counter)s organisaties"
    )

    entries = [e for e in messages(read_po(NL_PO)) if e.is_translated and not e.is_fuzzy]
    stale = []
    for entry in entries:
        for index, n in enumerate((1, 2) if entry.msgid_plural else (None,)):
            if _lookup(catalogue, entry, n) != entry.msgstr[index]:
                stale.append(entry.describe())
    assert not stale, "django.mo is stale; run compilemessages. Differs for:\n" + "\n".join(stale)
    # The header counts as one string in the .mo.
    assert _mo_message_count(NL_MO) == len(entries) + 1, "django.mo is stale; run compilemessages"


def test_the_english_catalogue_compiles_and_falls_back_to_the_msgids():
    with EN_MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Organisations") == "Organisations"
    translated = [e for e in messages(read_po(EN_PO)) if e.is_translated and not e.is_fuzzy]
    assert _mo_message_count(EN_MO) == len(translated) + 1


# (d) Served in the visitor's language


@pytest.mark.parametrize(
    ("accept_language", "html_lang", "expected", "absent"),
    [
        (None, "nl", "Samen werken aan onderwijs in Haaglanden", "Working together on education"),
        ("nl", "nl", "Samen werken aan onderwijs in Haaglanden", "Working together on education"),
        ("en", "en", "Working together on education in Haaglanden", "Samen werken aan onderwijs"),
    ],
)
def test_the_home_page_is_dutch_by_default_and_english_on_request(
    db, accept_language, html_lang, expected, absent
):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    # A plain client: the shared `client` fixture asks for English.
    response = Client().get(reverse("home"), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{html_lang}">' in html
    assert expected in html
    assert absent not in html
