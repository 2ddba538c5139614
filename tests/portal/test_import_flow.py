"""The generic import flow: registry, access rule, scope, templates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export import fields, resources
from openpyxl import load_workbook

from partners.models import Contact, Organisation
from portal import access, imports
from portal.models import ImportUpload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class ContactResource(imports.ImportResourceMixin, resources.ModelResource):
    """Contact persons, for one organisation: the scope."""

    organisation = fields.Field(column_name="organisatie")
    name = fields.Field(attribute="name", column_name="naam")
    email = fields.Field(attribute="email", column_name="email")

    class Meta:
        model = Contact
        fields = ("organisation", "name", "email")
        report_skipped = True
        skip_diff = True
        clean_model_instances = False

    def get_or_init_instance(self, instance_loader, row):
        return Contact(), True

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        name = str(row.get("organisatie") or "")
        instance.organisation = Organisation.objects.filter(name__iexact=name).first()

    def out_of_scope(self, instance):
        if instance.organisation_id != self.scope.pk:
            return _("You may only import contact persons of %(name)s.") % {"name": self.scope}
        return None


class ContactImporter(imports.Importer):
    key = "test-contacts"
    title = "Import contact persons"
    resource_class = ContactResource
    access_rule = access.Rule([access.PARTNER_EDITOR])
    required_columns = ("organisatie", "naam")
    done_url_name = "dashboard"

    def scope(self, user):
        return Organisation.objects.filter(
            memberships__user=user, memberships__role="editor"
        ).first()


@pytest.fixture
def contact_importer():
    imports.register(ContactImporter)
    yield imports.get_importer("test-contacts")
    imports.unregister("test-contacts")


def upload(client, key, content, name="bestand.csv"):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("import-upload", args=[key]), {"file": file})


def test_rows_outside_the_importers_scope_are_refused_row_by_row(
    contact_importer, editor_client, organisation, other_organisation
):
    content = (
        f"organisatie;naam;email\n{organisation.name};Eigen;e@example.org\n"
        f"{other_organisation.name};Vreemd;v@example.org\n"
    ).encode()
    response = upload(editor_client, "test-contacts", content)
    assert response.status_code == 302
    rows = editor_client.get(response["Location"]).context["preview"].rows
    assert [row["kind"] for row in rows] == ["new", "wrong"]
    assert rows[1]["messages"] == [f"You may only import contact persons of {organisation.name}."]
    assert editor_client.post(response["Location"]).status_code == 200
    assert not Contact.objects.exists()
    own = upload(editor_client, "test-contacts", content.rsplit(b"\n", 2)[0] + b"\n")
    editor_client.get(own["Location"])
    assert editor_client.post(own["Location"]).status_code == 302
    assert Contact.objects.get().organisation == organisation


def test_the_importers_access_rule_is_enforced_with_a_403(
    contact_importer, programme_client, editor_client
):
    for name, args in [
        ("import-upload", ["organisations"]),
        ("import-template", ["organisations", "csv"]),
    ]:
        assert editor_client.get(reverse(name, args=args)).status_code == 403
    assert programme_client.get(reverse("import-upload", args=["test-contacts"])).status_code == 403
    assert editor_client.get(reverse("import-upload", args=["test-contacts"])).status_code == 200


def test_an_upload_belongs_to_its_user(programme_client):
    other = UserFactory(staff_role="programme_team")
    stashed = ImportUpload.objects.create(
        user=other, importer="organisations", file_name="x.csv", content=b"naam;soort\nA;other\n"
    )
    url = reverse("import-preview", args=["organisations", stashed.pk])
    assert programme_client.get(url).status_code == 404


def test_an_unknown_importer_or_template_format_is_a_404(programme_client):
    assert programme_client.get(reverse("import-upload", args=["nothing"])).status_code == 404
    url = reverse("import-template", args=["organisations", "ods"])
    assert programme_client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("import-upload", args=["organisations"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_upload_page_lists_columns_accepted_values_and_links_the_templates(
    programme_client,
):
    page = programme_client.get(reverse("import-upload", args=["organisations"])).content.decode()
    assert "bestuursnummer" in page
    assert "School board, School location" in page
    assert reverse("import-template", args=["organisations", "xlsx"]) in page
    assert reverse("import-template", args=["organisations", "csv"]) in page


def test_the_csv_template_has_columns_accepted_values_and_an_example(programme_client):
    response = programme_client.get(reverse("import-template", args=["organisations", "csv"]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("naam;soort;sectoren;gemeente")
    assert "School board" in lines[1]
    assert lines[2].startswith("Stichting Voorbeeldscholen;School board;po, vo")


def test_the_template_is_in_the_users_language(programme_user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(programme_user)
    response = client.get(reverse("import-template", args=["signatures", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("organisatie", "overeenkomst", "status")
    assert "Ondertekend" in rows[1][2]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_template_uploaded_as_it_is_imports_only_its_example_row(programme_client, file_format):
    template = programme_client.get(reverse("import-template", args=["organisations", file_format]))
    response = upload(programme_client, "organisations", template.content, f"t.{file_format}")
    rows = programme_client.get(response["Location"]).context["preview"].rows
    assert [(row["number"], row["kind"]) for row in rows] == [(3, "new")], rows


def test_registering_two_importers_under_one_key_fails():
    from django.core.exceptions import ImproperlyConfigured

    class Other(ContactImporter):
        key = "organisations"

    with pytest.raises(ImproperlyConfigured):
        imports.register(Other)
    assert imports.get_importer("organisations").__class__.__name__ == "OrganisationImporter"
