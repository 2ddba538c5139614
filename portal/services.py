"""Accounts: invitations and what accepting one creates.

Accepting creates a partners Membership: this module is not one of the portal's mechanisms,
so it may know the partners app (the Invitation model already points at its Organisation).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access
from portal.mail import queue_email
from portal.models import Invitation, MemberRole, StaffRole

# Higher ranks include what lower ones may do: accepting an invitation never lowers a role.
STAFF_RANK = {"": 0, StaffRole.DESK_ADVISOR: 1, StaffRole.PROGRAMME_TEAM: 2}
MEMBER_RANK = {MemberRole.VIEWER: 1, MemberRole.EDITOR: 2}


def invitation_create(
    *, email, invited_by, staff_role="", organisation=None, member_role="", topics=()
):
    """Save an invitation and send its e-mail once the transaction has committed.

    When the broker is down the invitation is saved all the same; its e-mail stays in the
    outbox until `flush_outbox` can publish it.
    """
    invitation = Invitation(
        email=email,
        invited_by=invited_by,
        staff_role=staff_role,
        organisation=organisation,
        member_role=member_role,
        topics=access.clean_topics(topics),
    )
    invitation.full_clean(exclude=["expires_on"])
    with transaction.atomic():
        invitation.save()
        queue_email(
            to=invitation.email,
            template="invitation",
            context={
                "invitation": invitation,
                "accept_url": settings.PORTAL_BASE_URL
                + reverse("invitation-accept", args=[invitation.token]),
            },
        )
    return invitation


def invitation_accept(*, invitation, password="", first_name="", last_name=""):
    """Create the account (or bind an existing one) with the invitation's role.

    An existing account keeps what it had when that is more: a programme-team member stays
    one, an editor stays an editor, and topic roles are added to those held, never removed.
    Returns the user. Raises ValidationError when the invitation can no longer be used.
    """
    from partners.models import Membership

    User = get_user_model()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(_("This invitation has expired or has already been used."))
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(
                invitation.email, password, first_name=first_name, last_name=last_name
            )
        if invitation.staff_role:
            current = StaffRole.PROGRAMME_TEAM if user.is_programme_team else user.staff_role
            if STAFF_RANK[invitation.staff_role] > STAFF_RANK[current]:
                user.staff_role = invitation.staff_role
                user.save()
        else:
            membership = (
                Membership.objects.select_for_update()
                .filter(user=user, organisation=invitation.organisation)
                .first()
            ) or Membership(user=user, organisation=invitation.organisation, topics=[])
            if MEMBER_RANK[invitation.member_role] > MEMBER_RANK.get(membership.role, 0):
                membership.role = invitation.member_role
            membership.topics = [
                *membership.topics,
                *(
                    key
                    for key in access.clean_topics(invitation.topics)
                    if key not in membership.topics
                ),
            ]
            membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user
