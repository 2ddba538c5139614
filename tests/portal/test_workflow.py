import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners.models import Signature, SignatureStatusChange
from partners.services import signature_change_status, signature_create
from portal.workflow import TransitionNotAllowed, transition
from tests.factories import AgreementFactory, OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_an_allowed_change_updates_the_status_and_writes_history(programme_user):
    signature = SignatureFactory(status=Signature.Status.UNDER_RESERVATION)
    change = signature_change_status(
        signature=signature, status="signed", by=programme_user, note="Board agreed"
    )
    signature.refresh_from_db()
    assert signature.status == "signed"
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "under_reservation",
        "signed",
        programme_user,
        "Board agreed",
    )
    assert change.to_label == Signature.Status.SIGNED.label
    assert signature.status_changed_at == change.changed_at


def test_an_illegal_change_is_refused_with_a_message_and_leaves_no_trace(programme_user):
    signature = SignatureFactory(status=Signature.Status.SIGNED)
    with pytest.raises(TransitionNotAllowed) as error:
        transition(signature, Signature.Status.UNDER_RESERVATION, by=programme_user)
    assert str(Signature.Status.SIGNED.label) in error.value.messages[0]
    signature.refresh_from_db()
    assert signature.status == "signed"
    assert not SignatureStatusChange.objects.filter(signature=signature).exists()


def test_the_transition_table_is_the_single_source_of_allowed_changes():
    workflow = Signature.workflow
    assert workflow.targets("under_reservation") == ["signed", "withdrawn"]
    assert workflow.targets("signed") == ["withdrawn"]
    assert not workflow.can("signed", "signed")


def test_editing_the_status_field_directly_is_refused_by_clean():
    signature = SignatureFactory(status=Signature.Status.SIGNED)
    signature = Signature.objects.get(pk=signature.pk)
    signature.status = Signature.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        signature.full_clean()


def test_creating_a_signature_records_its_first_status(programme_user):
    signature = signature_create(
        organisation=OrganisationFactory(),
        agreement=AgreementFactory(),
        status="under_reservation",
        by=programme_user,
    )
    first = signature.status_changes.get()
    assert (first.from_status, first.to_status) == ("", "under_reservation")


def test_side_effects_run_after_commit(
    programme_user, django_capture_on_commit_callbacks, monkeypatch
):
    signature = SignatureFactory(status=Signature.Status.SIGNED)
    seen = []
    monkeypatch.setattr(Signature, "after_transition", lambda self, change: seen.append(change))
    with django_capture_on_commit_callbacks() as callbacks:
        change = transition(signature, "withdrawn", by=programme_user)
    assert seen == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert seen == [change]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_changes_cannot_both_pass(programme_user):
    """The row lock makes the second change see the first one's result."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    signature = SignatureFactory(status=Signature.Status.UNDER_RESERVATION)
    results = []

    def change(target):
        try:
            transition(Signature.objects.get(pk=signature.pk), target, by=None)
            results.append("ok")
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=change, args=(t,)) for t in ("signed", "signed")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert SignatureStatusChange.objects.filter(signature=signature).count() == 1
