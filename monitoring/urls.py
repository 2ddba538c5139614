"""Monitoring's pages under /monitoring/; the public ones are in monitoring/public_urls.py."""

from django.urls import path

from .views import agenda, dashboard, figures, monitors

urlpatterns = [
    # Agendas, lines and activities: the programme team edits, a lead's editors post updates (M1).
    path("agendas/", agenda.agenda_list, name="monitoring-agenda-list"),
    path("agendas/nieuw/", agenda.agenda_create, name="monitoring-agenda-create"),
    path("agendas/<int:pk>/bewerken/", agenda.agenda_edit, name="monitoring-agenda-edit"),
    path("agendas/<int:pk>/lijnen/nieuw/", agenda.line_create, name="monitoring-line-create"),
    path("lijnen/<int:pk>/bewerken/", agenda.line_edit, name="monitoring-line-edit"),
    path(
        "lijnen/<int:pk>/activiteiten/nieuw/",
        agenda.activity_create,
        name="monitoring-activity-create",
    ),
    path("activiteiten/<int:pk>/", agenda.activity_detail, name="monitoring-activity-detail"),
    path("activiteiten/<int:pk>/bewerken/", agenda.activity_edit, name="monitoring-activity-edit"),
    path(
        "activiteiten/<int:pk>/status/", agenda.activity_status, name="monitoring-activity-status"
    ),
    path(
        "activiteiten/<int:pk>/voortgang/",
        agenda.progress_create,
        name="monitoring-progress-create",
    ),
    path(
        "voortgang/<int:pk>/bijlage/",
        agenda.progress_attachment,
        name="monitoring-progress-attachment",
    ),
    # Yearly figures (M2).
    path("indicatoren/", figures.indicator_list, name="monitoring-indicator-list"),
    path("indicatoren/nieuw/", figures.indicator_create, name="monitoring-indicator-create"),
    path(
        "indicatoren/<int:pk>/bewerken/",
        figures.indicator_edit,
        name="monitoring-indicator-edit",
    ),
    path("rondes/", figures.round_list, name="monitoring-round-list"),
    path("rondes/nieuw/", figures.round_create, name="monitoring-round-create"),
    path("rondes/<int:year>/", figures.round_detail, name="monitoring-round-detail"),
    path("rondes/<int:year>/bewerken/", figures.round_edit, name="monitoring-round-edit"),
    path("cijfers/", figures.value_list, name="monitoring-value-list"),
    path("cijfers/beoordelen/", figures.value_review, name="monitoring-value-review"),
    path("mijn-cijfers/", figures.my_figures, name="monitoring-my-figures"),
    path("mijn-cijfers/indienen/", figures.my_figures_submit, name="monitoring-my-figures-submit"),
    # The programme team's dashboard (M3).
    path("dashboard/", dashboard.dashboard, name="monitoring-dashboard"),
    path(
        "dashboard/grafiek/<slug:code>.csv",
        dashboard.chart_csv,
        name="monitoring-chart-csv",
    ),
    # The biennial monitor (M4).
    path("monitors/", monitors.monitor_list, name="monitoring-monitor-list"),
    path("monitors/<int:pk>/", monitors.monitor_detail, name="monitoring-monitor-detail"),
    path(
        "monitors/<int:pk>/download/",
        monitors.monitor_download,
        name="monitoring-monitor-download",
    ),
    path(
        "monitors/<int:pk>/publiceren/",
        monitors.monitor_publish,
        name="monitoring-monitor-publish",
    ),
]
