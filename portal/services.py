"""Accounts: invitations and what accepting one creates."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.mail import queue_email
from portal.models import Invitation


def invitation_create(*, email, invited_by, staff_role="", organisation=None, member_role=""):
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
            user.staff_role = invitation.staff_role
            user.save()
        else:
            Membership.objects.update_or_create(
                user=user,
                organisation=invitation.organisation,
                defaults={"role": invitation.member_role},
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user
