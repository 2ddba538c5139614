from django.utils.translation import gettext_lazy as _

from portal.imports import Importer

from .resources import OrganisationResource, SignatureResource


class OrganisationImporter(Importer):
    key = "organisations"
    title = _("Import organisations")
    resource_class = OrganisationResource
    required_columns = ("naam",)
    done_url_name = "partners-organisation-list"


class SignatureImporter(Importer):
    key = "signatures"
    title = _("Import signatures")
    resource_class = SignatureResource
    required_columns = ("organisatie", "overeenkomst")
    done_url_name = "partners-agreement-list"


IMPORTERS = {importer.key: importer() for importer in (OrganisationImporter, SignatureImporter)}
