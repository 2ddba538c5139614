"""Ids taken from a table's sequence before the row is written.

A reference that carries the row's own id ("LOK-2026-00042") must be complete in the first
insert and in the first history row, so the id is taken first. PostgreSQL hands it out from
the table's sequence; SQLite (the embedded default of `make run`) keeps the last id of an
AUTOINCREMENT table in sqlite_sequence, and serialises writing transactions.
"""

from django.db import connection


def next_id(table):
    """The id the next row of `table` gets, taken before the insert."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return cursor.fetchone()[0]
        # SQLite, the embedded default of `make run`: AUTOINCREMENT keeps the last id handed
        # out in sqlite_sequence, and writing transactions are serialised.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        return (row[0] if row else 0) + 1


def reserve_id(table):
    """Take the id the next row of `table` gets, so that no other row can have it.

    An intake reserves its case's id (and so its reference) when it is received; the case is
    written later, by a task, with that id.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return cursor.fetchone()[0]
        # SQLite: move the AUTOINCREMENT counter on, which an insert without an id respects.
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = %s", [table])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, 1)", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        return cursor.fetchone()[0]
