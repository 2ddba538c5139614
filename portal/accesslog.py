from django.contrib.contenttypes.models import ContentType

from portal.models import AccessLog


def log_access(request, obj, *, action):
    """Record that the request's user saw or changed personal data of `obj`."""
    AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        path=request.path[:255],
    )
