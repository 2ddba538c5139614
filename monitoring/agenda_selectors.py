"""Reads of the action agendas that views, the dashboard (M3) and the monitor (M4) share.

`agenda_tree` loads an agenda with its lines, activities, leads and each activity's latest
progress update in a constant number of queries, whatever the number of activities.
"""

from django.db.models import OuterRef, Prefetch, Subquery

from .models import Activity, Agenda, ProgrammeLine, ProgressUpdate


def public_agendas():
    return Agenda.objects.filter(is_public=True)


def latest_updates(activity_ids):
    """{activity id: its latest ProgressUpdate} for the given activities, in one query."""
    latest = ProgressUpdate.objects.filter(activity=OuterRef("activity")).order_by(
        "-date", "-created_at", "-pk"
    )
    updates = ProgressUpdate.objects.filter(
        activity_id__in=list(activity_ids), pk=Subquery(latest.values("pk")[:1])
    )
    return {update.activity_id: update for update in updates}


def activities_queryset():
    return Activity.objects.select_related("lead").prefetch_related("partners")


def agenda_tree(agenda):
    """The programme lines of `agenda`, each with `.activity_list`; every activity carries
    `.latest_update` (None without updates). Four queries."""
    lines = list(
        ProgrammeLine.objects.filter(agenda=agenda).prefetch_related(
            Prefetch("activities", queryset=activities_queryset(), to_attr="activity_list")
        )
    )
    activities = [activity for line in lines for activity in line.activity_list]
    updates = latest_updates(activity.pk for activity in activities)
    for activity in activities:
        activity.latest_update = updates.get(activity.pk)
    return lines


def agenda_progress(agenda):
    """Counts of the agenda's activities per status and their mean progress (for summaries)."""
    activities = Activity.objects.filter(line__agenda=agenda).values_list("status", "progress")
    counts = dict.fromkeys(Activity.Status.values, 0)
    total = 0
    for status, progress in activities:
        counts[status] += 1
        total += progress
    count = sum(counts.values())
    return {
        "count": count,
        "by_status": counts,
        "mean_progress": round(total / count) if count else None,
    }


def activities_led_by(organisation_ids):
    """The activities the given organisations lead, with their agenda (partner dashboards)."""
    return Activity.objects.filter(lead_id__in=list(organisation_ids)).select_related(
        "line__agenda", "lead"
    )
