from django.urls import path

from . import views

urlpatterns = [
    path("organisaties/", views.organisation_list, name="partners-organisation-list"),
    path("organisaties/nieuw/", views.organisation_create, name="partners-organisation-create"),
    path(
        "organisaties/exporteren/", views.export_organisations, name="partners-organisation-export"
    ),
    path("organisaties/<int:pk>/", views.organisation_detail, name="partners-organisation-detail"),
    path(
        "organisaties/<int:pk>/bewerken/",
        views.organisation_edit,
        name="partners-organisation-edit",
    ),
    path(
        "organisaties/<int:pk>/uitnodigen/",
        views.organisation_invite,
        name="partners-organisation-invite",
    ),
    path(
        "organisaties/<int:pk>/contactpersonen/nieuw/",
        views.contact_create,
        name="partners-contact-create",
    ),
    path("contactpersonen/<int:pk>/bewerken/", views.contact_edit, name="partners-contact-edit"),
    path(
        "contactpersonen/<int:pk>/verwijderen/",
        views.contact_delete,
        name="partners-contact-delete",
    ),
    path(
        "lidmaatschappen/<int:pk>/verwijderen/",
        views.membership_delete,
        name="partners-membership-delete",
    ),
    path("mijn-organisatie/", views.my_organisation, name="partners-my-organisation"),
    path("overeenkomsten/", views.agreement_list, name="partners-agreement-list"),
    path("overeenkomsten/nieuw/", views.agreement_create, name="partners-agreement-create"),
    path("overeenkomsten/<slug:slug>/", views.agreement_detail, name="partners-agreement-detail"),
    path(
        "overeenkomsten/<slug:slug>/bewerken/", views.agreement_edit, name="partners-agreement-edit"
    ),
    path(
        "overeenkomsten/<slug:slug>/ondertekening/",
        views.signature_create,
        name="partners-signature-create",
    ),
    path("ondertekeningen/exporteren/", views.export_signatures, name="partners-signature-export"),
    path("ondertekeningen/<int:pk>/", views.signature_detail, name="partners-signature-detail"),
    path(
        "ondertekeningen/<int:pk>/status/",
        views.signature_transition,
        name="partners-signature-transition",
    ),
    path(
        "ondertekeningen/<int:pk>/voortgang/<int:year>/",
        views.progress_edit,
        name="partners-progress-edit",
    ),
    path("afspraken/", views.public_agreement_list, name="partners-public-agreement-list"),
    path("afspraken/<slug:slug>/", views.public_agreement, name="partners-public-agreement"),
]
