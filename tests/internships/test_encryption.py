"""Encryption at rest of the internship reports' free text (portal/crypto.py on
internships/models.py)."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection
from django.test import override_settings

from internships.models import InternalNote, Message, Report
from tests.factories import MessageFactory, ReportFactory

pytestmark = pytest.mark.django_db

SECRETS = {
    "description": "Beschrijving met geheim 3391",
    "ground_other": "Andere grond 3392",
    "place": "Bakkerij 3393",
    "contact_name": "Naam 3394",
    "contact_email": "adres3395@example.org",
    "contact_phone": "0600003396",
}


def raw_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_report_table_holds_no_plaintext_of_the_free_text():
    report = ReportFactory(anonymous=False, **SECRETS)
    MessageFactory(report=report, body="Bericht 3397")
    InternalNote.objects.create(report=report, body="Notitie 3398")
    stored = " ".join(
        raw_rows(table)
        for table in (
            Report._meta.db_table,
            Message._meta.db_table,
            InternalNote._meta.db_table,
            Report.history.model._meta.db_table,
            Message.history.model._meta.db_table,
            InternalNote.history.model._meta.db_table,
        )
    )
    for number in range(3391, 3399):
        assert str(number) not in stored
    # The counted fields stay plain.
    assert report.reference in stored and "origin" in stored
    report = Report.objects.get()
    assert {name: getattr(report, name) for name in SECRETS} == SECRETS


def test_reports_still_decrypt_after_a_key_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        report = ReportFactory(description="Voor de rotatie")
        MessageFactory(report=report, body="Bericht voor de rotatie")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert Report.objects.get().description == "Voor de rotatie"
        assert Message.objects.get().body == "Bericht voor de rotatie"
        # New values are written with the new key: the old key alone cannot read them.
        Report.objects.update(place="Na de rotatie")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Report.objects.only("place").get().place == "Na de rotatie"
        with pytest.raises(InvalidToken):
            Report.objects.only("description").get().description  # noqa: B018


def test_a_missing_key_is_noticed_not_shown_as_empty():
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        ReportFactory(description="Geheim")
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(InvalidToken):
            Report.objects.get()
