"""Encryption at rest for sensitive free text and files, with keys that can be rotated.

`cryptography`'s MultiFernet does the work: the first key of settings.FIELD_ENCRYPTION_KEYS
encrypts, every key decrypts, so a new key goes first and `rotate()` re-encrypts old values.
Fernet authenticates as well as encrypts: a changed ciphertext fails to decrypt instead of
giving garbage. Development derives a key from SECRET_KEY; production must set its own
(settings refuses to start without one when DEBUG is off).

`EncryptedTextField` is a TextField whose database value is a Fernet token; `encrypt_bytes`
and `decrypt_bytes` serve files (see `PrivateEncryptedStorage`). Encrypted values cannot be
searched or ordered by in the database; keep what must be counted in plain fields.
"""

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property

__all__ = [
    "EncryptedTextField",
    "InvalidToken",
    "PrivateEncryptedStorage",
    "decrypt_bytes",
    "encrypt_bytes",
    "private_storage",
    "rotate",
]


def _development_key():
    digest = hashlib.sha256(f"portal-field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes; make one with `python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'`)."
        ) from error


def fernet():
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS) or (_development_key(),)
    return _fernet(keys)


def encrypt_bytes(data):
    return fernet().encrypt(data)


def decrypt_bytes(token):
    """The plain bytes of `token`; raises InvalidToken when no key opens it."""
    return fernet().decrypt(token)


def encrypt_text(text):
    return encrypt_bytes(text.encode()).decode("ascii")


def decrypt_text(token):
    return decrypt_bytes(token.encode("ascii")).decode()


def rotate(token):
    """`token` re-encrypted with the first key (for `rotate_encryption_keys`)."""
    return fernet().rotate(token)


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees plain text. An empty value stays empty.

    Not searchable and not orderable in SQL. A value that no configured key opens raises
    InvalidToken when it is read: a missing key must be noticed, not shown as empty.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt_text(value)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "portal.crypto.EncryptedTextField", args, kwargs


class PrivateEncryptedStorage(FileSystemStorage):
    """Files under PRIVATE_STORAGE_ROOT, encrypted; never under MEDIA_ROOT, so never served.

    A view that has checked access reads a file with `open_decrypted(name)`.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_STORAGE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        # FileSystemStorage forgets its location when MEDIA_ROOT changes; this one follows
        # PRIVATE_STORAGE_ROOT instead (override_settings in tests, for one).
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_STORAGE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise NotImplementedError("Private files have no URL; serve them through a view.")

    def _save(self, name, content):
        content.seek(0)
        encrypted = ContentFile(encrypt_bytes(content.read()))
        return super()._save(name, encrypted)

    def read_decrypted(self, name):
        with super().open(name, "rb") as handle:
            return decrypt_bytes(handle.read())


_private_storage = PrivateEncryptedStorage()


def rotate_all(*, chunk_size=500):
    """Re-encrypt every encrypted value and private file with the first key.

    Returns {"<app.Model>.<field>": count}. Run after putting a new key first in
    FIELD_ENCRYPTION_KEYS; the old keys can go once it has finished.
    """
    from django.apps import apps
    from django.db import transaction

    counts = {}
    for model in apps.get_models():
        texts = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        files = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.FileField) and isinstance(f.storage, PrivateEncryptedStorage)
        ]
        if not texts and not files:
            continue
        manager = model._base_manager
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), chunk_size):
            chunk = pks[start : start + chunk_size]
            with transaction.atomic():
                rows = manager.filter(pk__in=chunk).select_for_update().values("pk", *texts, *files)
                for row in rows:
                    # Reading decrypted the values; update() encrypts them with the first key.
                    values = {name: row[name] for name in texts if row[name]}
                    if values:
                        manager.filter(pk=row["pk"]).update(**values)
                    for name in files:
                        if row[name]:
                            storage = model._meta.get_field(name).storage
                            _rotate_file(storage, row[name])
                    for name in (*values, *(n for n in files if row[n])):
                        key = f"{model._meta.label}.{name}"
                        counts[key] = counts.get(key, 0) + 1
    return counts


def _rotate_file(storage, name):
    path = storage.path(name)
    with open(path, "rb") as handle:
        token = handle.read()
    rotated = rotate(token)
    temporary = f"{path}.rotating"
    with open(temporary, "wb") as handle:
        handle.write(rotated)
    # Atomic on one file system: a crash leaves either the old or the new file, both readable.
    os.replace(temporary, path)


def private_storage():
    """The storage of private files (a callable, so migrations do not depend on settings)."""
    return _private_storage
