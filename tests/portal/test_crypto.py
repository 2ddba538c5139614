"""Encryption at rest: encrypted fields and private files, and rotating the key."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from internships.models import Attachment, Report
from portal import crypto
from tests.factories import ReportFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = "Ze zeiden dat mensen met een hoofddoek niet bij de klant passen."


@pytest.fixture
def private_root(tmp_path, settings):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    # The storage caches its location; a fresh one for the test's directory.
    storage = crypto.PrivateEncryptedStorage(location=tmp_path)
    field = Attachment._meta.get_field("file")
    original = field.storage
    field.storage = storage
    yield storage
    field.storage = original


def raw_column(model, field, pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {field} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_an_encrypted_field_is_stored_unreadable_and_read_back_in_plain_text(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    report = ReportFactory(description=SECRET, place="Bakkerij De Korenschoof")

    stored = raw_column(Report, "description", report.pk)
    assert "hoofddoek" not in stored
    assert "Korenschoof" not in raw_column(Report, "place", report.pk)
    assert Report.objects.get(pk=report.pk).description == SECRET


@pytest.mark.django_db
def test_a_value_without_its_key_cannot_be_read(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    report = ReportFactory(description=SECRET)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.InvalidToken):
        Report.objects.get(pk=report.pk)


@pytest.mark.django_db
def test_rotation_re_encrypts_fields_and_files_so_the_old_key_can_go(settings, private_root):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    report = ReportFactory(description=SECRET, contact_email="student@example.org")
    attachment = Attachment(
        report=report, original_name="verslag.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("a", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    with open(private_root.path(attachment.file.name), "rb") as handle:
        assert b"%PDF" not in handle.read()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "internships.Report.description: 1 re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    again = Report.objects.get(pk=report.pk)
    assert again.description == SECRET
    assert again.contact_email == "student@example.org"
    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.original_name == "verslag.pdf"
    assert private_root.read_decrypted(stored.file.name) == b"%PDF-1.4\n"


def test_private_files_have_no_url(private_root):
    with pytest.raises(NotImplementedError):
        private_root.url("anything")


def test_the_private_root_is_not_under_the_public_media(settings):
    from pathlib import Path

    private = Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert media not in private.parents and private != media
