"""The catalogue data migration: the seed's shortage subjects and the training routes."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from lokaal import services
from lokaal.models import ShortageSubject, TrainingRoute

migration = importlib.import_module("lokaal.migrations.0002_p4_catalogue")

pytestmark = pytest.mark.django_db


def test_subjects_of_table_9_exist_after_migrate_with_their_2026_weights():
    subjects = {s.code: s for s in ShortageSubject.objects.all()}
    assert len(subjects) >= len(migration.SUBJECTS)
    assert subjects["wiskunde"].shortage_fte == Decimal(116)
    assert subjects["nederlands"].shortage_fte == Decimal(189)
    assert subjects["frans"].shortage_fte == Decimal(41)
    assert subjects[ShortageSubject.OTHER_CODE].name_en == "Other subjects"
    assert subjects["wiskunde"].sectors == ["vo"]
    # The biggest shortage comes first in the intake form.
    assert ShortageSubject.objects.first().code == "nederlands"


def test_migration_table_is_the_one_the_service_loads():
    assert migration.SUBJECTS == services.SHORTAGE_TABLE_2026


def test_training_routes_exist_in_dutch_and_english_with_sectors():
    routes = {r.name_nl: r for r in TrainingRoute.objects.prefetch_related("sectors")}
    assert len(routes) >= 5
    zij = routes["Zij-instroomtraject po/vo (twee jaar)"]
    assert zij.duration_months == 24
    assert {s.code for s in zij.sectors.all()} == {"po", "so", "vo"}
    pdg = routes["PDG-traject mbo (maximaal 1,5 jaar)"]
    assert pdg.duration_months == 18
    assert [s.code for s in pdg.sectors.all()] == ["mbo"]
    for route in routes.values():
        assert route.name_en and route.description_nl and route.description_en
        assert route.eligibility_hint_nl and route.eligibility_hint_en
    with translation.override("en"):
        assert TrainingRoute.objects.get(pk=pdg.pk).name == "PDG route for mbo (at most 1.5 years)"


def test_running_the_migration_again_changes_nothing():
    wiskunde = ShortageSubject.objects.get(code="wiskunde")
    wiskunde.shortage_fte = 120  # an edit in the admin survives
    wiskunde.save()
    before = (ShortageSubject.objects.count(), TrainingRoute.objects.count())

    migration.load_catalogue(apps, None)

    assert (ShortageSubject.objects.count(), TrainingRoute.objects.count()) == before
    assert ShortageSubject.objects.get(code="wiskunde").shortage_fte == 120


def test_the_migration_reverses_and_loads_again():
    migration.unload_catalogue(apps, None)
    assert not ShortageSubject.objects.filter(code="wiskunde").exists()
    assert not TrainingRoute.objects.filter(name_nl__startswith="PDG").exists()

    migration.load_catalogue(apps, None)
    assert ShortageSubject.objects.filter(code="wiskunde").exists()
    assert TrainingRoute.objects.get(name_nl__startswith="PDG").sectors.count() == 1
