"""Partner-side objects of the desk belong to a school location or a board.

A board's members manage the room and slots of its school locations too, and the board's
desk contact decides on matches for them: the object is looked up through its own
organisation first and, when that refuses, through that organisation's board.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal import access


def get_for_organisation_or_board(request, queryset, *, via="organisation", **kwargs):
    """`access.get_object_for_user` through the organisation at `via`, or its board."""
    try:
        return access.get_object_for_user(request, queryset, via=via, **kwargs)
    except (Http404, PermissionDenied) as error:
        refused = error
    try:
        return access.get_object_for_user(request, queryset, via=f"{via}__parent", **kwargs)
    except Http404:
        # A stranger to the board learns no more than the first answer told them.
        raise refused from None
