"""Reading the demo data in fixtures/demo/ (the seeds' real organisations, agreements and
agendas), shared by the apps' `load_demo*` commands."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from .models import Organisation

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


def read_fixture(name):
    """The parsed fixtures/demo/<name>.json; a CommandError that says what is wrong."""
    path = FIXTURES_DIR / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CommandError(f"Missing demo data file: {path}") from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not valid JSON: {error}") from error


def organisations_by_name():
    """Every lower-cased organisation name, and every alias of organisations.json, → the
    organisation (the registry itself keeps only the name)."""
    found = {organisation.name.lower(): organisation for organisation in Organisation.objects.all()}
    for row in read_fixture("organisations")["organisations"]:
        names = [row["name"], *row.get("aliases", [])]
        organisation = next((found[n.lower()] for n in names if n.lower() in found), None)
        if organisation is not None:
            for name in names:
                found.setdefault(name.lower(), organisation)
    return found
