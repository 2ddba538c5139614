import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partners.models import Signature, SignatureStatusChange
from partners.services import signature_change_status, signature_create
from portal import access, workflow
from portal.workflow import StatusChangeRefused, TransitionNotAllowed, Workflow, transition
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


def test_a_plain_save_cannot_change_the_status():
    """The guard in save(): code that skips clean() still cannot bypass the history."""
    signature = Signature.objects.get(pk=SignatureFactory(status=Signature.Status.SIGNED).pk)
    signature.status = Signature.Status.WITHDRAWN
    with pytest.raises(StatusChangeRefused):
        signature.save()
    with pytest.raises(StatusChangeRefused):
        signature.save(update_fields=["status"])
    assert Signature.objects.get(pk=signature.pk).status == "signed"
    assert not SignatureStatusChange.objects.filter(signature=signature).exists()


def test_saving_other_fields_of_a_loaded_object_passes():
    signature = Signature.objects.get(pk=SignatureFactory(status=Signature.Status.SIGNED).pk)
    signature.signed_by = "Chair of the board"
    signature.save()
    assert Signature.objects.get(pk=signature.pk).signed_by == "Chair of the board"


def test_after_a_transition_the_object_saves_normally(programme_user):
    signature = Signature.objects.get(pk=SignatureFactory(status=Signature.Status.SIGNED).pk)
    transition(signature, Signature.Status.WITHDRAWN, by=programme_user)
    signature.signed_by = "Director"
    signature.save()
    signature.refresh_from_db()
    assert (signature.status, signature.signed_by) == ("withdrawn", "Director")


def test_create_saves_the_object_and_its_first_history_row(programme_user):
    signature = Signature(
        organisation=OrganisationFactory(), agreement=AgreementFactory(), status="signed"
    )
    workflow.create(signature, by=programme_user, note="Signed at the conference")
    first = SignatureStatusChange.objects.get(signature=signature)
    assert (first.from_status, first.to_status, first.changed_by, first.note) == (
        "",
        "signed",
        programme_user,
        "Signed at the conference",
    )
    assert first.changed_at == signature.status_changed_at


def test_create_refuses_a_status_a_new_object_cannot_start_in(programme_user, monkeypatch):
    strict = Workflow(
        Signature.Status,
        {"under_reservation": {"signed"}, "signed": {"withdrawn"}},
        initial=["under_reservation"],
    )
    monkeypatch.setattr(Signature, "workflow", strict)
    signature = Signature(
        organisation=OrganisationFactory(), agreement=AgreementFactory(), status="withdrawn"
    )
    with pytest.raises(TransitionNotAllowed) as error:
        workflow.create(signature, by=programme_user)
    assert "cannot start with the status “Withdrawn”" in error.value.messages[0]
    assert not Signature.objects.exists()


def test_a_change_the_users_role_may_not_make_is_refused_with_a_message(editor_user):
    """Signatures declare that only the programme team changes their status."""
    signature = SignatureFactory(status=Signature.Status.UNDER_RESERVATION)
    with pytest.raises(TransitionNotAllowed) as error:
        signature_change_status(signature=signature, status="signed", by=editor_user)
    assert error.value.messages == [
        "You may not change the status from “Under reservation” to “Signed”."
    ]
    signature.refresh_from_db()
    assert signature.status == "under_reservation"
    assert not SignatureStatusChange.objects.filter(signature=signature).exists()


def test_a_change_without_a_user_is_made_by_the_system():
    signature = SignatureFactory(status=Signature.Status.UNDER_RESERVATION)
    change = transition(signature, "signed", by=None)
    assert change.changed_by is None and signature.status == "signed"


def test_permissions_are_declared_per_change(editor_user, viewer_user, programme_user):
    workflow_ = Workflow(
        Signature.Status,
        {"under_reservation": {"signed", "withdrawn"}, "signed": {"withdrawn"}},
        permissions={
            ("under_reservation", "signed"): access.Rule([access.PARTNER_EDITOR]),
            ("signed", "withdrawn"): lambda user: user.email == "lezer@example.org",
        },
        default_permission=access.Rule([access.PROGRAMME_TEAM]),
    )
    assert workflow_.may_transition(editor_user, "under_reservation", "signed")
    assert not workflow_.may_transition(viewer_user, "under_reservation", "signed")
    assert workflow_.may_transition(viewer_user, "signed", "withdrawn")
    assert not workflow_.may_transition(editor_user, "signed", "withdrawn")
    # Changes without their own rule fall back to the default.
    assert not workflow_.may_transition(editor_user, "under_reservation", "withdrawn")
    assert workflow_.may_transition(programme_user, "under_reservation", "withdrawn")
    assert workflow_.targets("under_reservation", editor_user) == ["signed"]
    assert workflow_.targets("under_reservation") == ["signed", "withdrawn"]


def test_a_permission_for_a_change_the_table_does_not_allow_is_a_mistake():
    with pytest.raises(ValueError, match="not allowed"):
        Workflow(
            Signature.Status,
            {"signed": {"withdrawn"}},
            permissions={("withdrawn", "signed"): access.Rule([access.PROGRAMME_TEAM])},
        )


def test_a_refreshed_object_knows_its_new_status(programme_user):
    """A change made elsewhere, then refresh_from_db(): saving is not a status change."""
    signature = Signature.objects.get(pk=SignatureFactory(status=Signature.Status.SIGNED).pk)
    transition(Signature.objects.get(pk=signature.pk), "withdrawn", by=programme_user)
    signature.refresh_from_db()
    signature.signed_by = "Secretary"
    signature.save()
    assert Signature.objects.get(pk=signature.pk).status == "withdrawn"
