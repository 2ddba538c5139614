from django.urls import path

from .views import commitments, figures, followup, handling, report

urlpatterns = [
    # The public report form and the anonymous follow-up.
    path("melden/", report.report_form, name="internships-report"),
    path("melden/ontvangen/", report.report_done, name="internships-report-done"),
    path("opvolgen/", followup.followup_login, name="internships-followup"),
    path("opvolgen/melding/", followup.followup_report, name="internships-followup-report"),
    path("opvolgen/afsluiten/", followup.followup_logout, name="internships-followup-logout"),
    path("opvolgen/intrekken/", followup.followup_withdraw, name="internships-followup-withdraw"),
    # Handling, by the institution's handlers or the programme team.
    path("meldingen/", handling.report_list, name="internships-report-list"),
    path("meldingen/achterstallig/", handling.overdue_list, name="internships-overdue"),
    path("meldingen/<int:pk>/", handling.report_detail, name="internships-report-detail"),
    path("meldingen/<int:pk>/status/", handling.report_status, name="internships-report-status"),
    path("meldingen/<int:pk>/bericht/", handling.report_message, name="internships-report-message"),
    path("meldingen/<int:pk>/notitie/", handling.report_note, name="internships-report-note"),
    path(
        "meldingen/<int:pk>/bijlagen/<int:attachment_pk>/",
        handling.attachment_download,
        name="internships-attachment",
    ),
    # The aggregate figures and the manifesto's commitments.
    path("cijfers/", figures.figures, name="internships-figures"),
    path("cijfers/export.csv", figures.figures_csv, name="internships-figures-csv"),
    path("manifest/", commitments.overview, name="internships-commitments"),
    path(
        "manifest/<int:signature_pk>/<int:year>/",
        commitments.commitments_edit,
        name="internships-commitments-edit",
    ),
]
