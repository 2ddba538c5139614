"""Load the demo data of the registry from ``fixtures/demo/*.json``.

The data comes from the real source documents (``/work/shared/seeds``): the municipalities of
Haaglanden, the organisations that signed the 2014 action agenda and the internship manifesto
or that the 2026-2029 activity plan names, the four agreements with their commitments, and the
signatures with their real statuses. The agreements and commitments come with English versions
of their public texts. On top of that come fictional demo logins (one per role), demo contact
persons and clearly fictional details of the programme office (the site settings), which
``--no-users`` leaves out so that the command can also seed a production registry.

The loader is idempotent and conservative: it adds what is missing and never changes what
already exists. Running it twice changes nothing; an organisation a user renamed to one of its
aliases is still recognised; a signature whose status a user changed keeps that status; an
existing user keeps their password; an English text or a site setting is filled in only where
it is still empty. Everything runs in one transaction, so a mistake in the
data leaves the database as it was.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from partners.demo import read_fixture
from partners.models import (
    Agreement,
    Commitment,
    Contact,
    Membership,
    Municipality,
    Organisation,
    Sector,
    Signature,
)
from partners.services import signature_create
from portal.models import MemberRole, SiteSettings, StaffRole

# The files, in the order they are loaded. Users, contacts and the programme office's details
# are demo-only.
REGISTRY_FILES = ["municipalities", "organisations", "agreements", "signatures"]
DEMO_FILES = ["users", "site_settings"]

WHOLE_AGENDA_NOTE = "Ondertekent de hele actieagenda."


@dataclass
class Tally:
    """How many rows the data describes, and how many of them were new."""

    total: int = 0
    created: int = 0

    def count(self, created):
        self.total += 1
        self.created += int(created)


class Command(BaseCommand):
    help = (
        "Load the demo data (municipalities, organisations, agreements, commitments, "
        "signatures, demo users and contacts) from fixtures/demo/*.json. Idempotent: adds "
        "what is missing and never changes existing rows, statuses or passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Skip the demo users, their memberships and the demo contact persons "
            "(for seeding a production registry).",
        )

    def handle(self, *args, no_users=False, **options):
        files = REGISTRY_FILES + ([] if no_users else DEMO_FILES)
        data = {name: self._read(name) for name in files}

        self.tallies = {}
        # Maps every lower-cased name and alias in the data to its organisation.
        self.organisations = {}
        logins = []
        with transaction.atomic():
            municipalities = self._load_municipalities(data["municipalities"]["municipalities"])
            self._load_organisations(data["organisations"]["organisations"], municipalities)
            agreements = self._load_agreements(data["agreements"]["agreements"])
            self._load_signatures(data["signatures"]["signatures"], agreements)
            if not no_users:
                logins = self._load_users(data["users"])
                self._load_contacts(data["users"].get("contacts", []))
                self._load_site_settings(data["site_settings"]["site_settings"])

        self._print_summary(agreements, logins)

    # Reading -------------------------------------------------------------------------------

    def _read(self, name):
        return read_fixture(name)

    def _tally(self, label):
        return self.tallies.setdefault(label, Tally())

    # Registry ------------------------------------------------------------------------------

    def _load_municipalities(self, rows):
        tally = self._tally("municipalities")
        found = {}
        for row in rows:
            municipality = Municipality.objects.filter(name__iexact=row["name"]).first()
            if municipality is None and row.get("cbs_code"):
                municipality = Municipality.objects.filter(cbs_code=row["cbs_code"]).first()
            created = municipality is None
            if created:
                municipality = Municipality.objects.create(
                    name=row["name"],
                    cbs_code=row.get("cbs_code", ""),
                    in_region=row.get("in_region", True),
                )
            tally.count(created)
            found[row["name"].lower()] = municipality
        return found

    def _find_organisation(self, names):
        """The existing organisation whose name is one of `names`, ignoring case."""
        query = Q()
        for name in names:
            query |= Q(name__iexact=name)
        matches = list(Organisation.objects.filter(query))
        if len(matches) > 1:
            # Prefer the organisation carrying the first (canonical) name.
            matches.sort(key=lambda org: org.name.lower() != names[0].lower())
            self.stderr.write(
                f"Several organisations match {names[0]!r}: "
                f"{', '.join(org.name for org in matches)}; using {matches[0].name!r}."
            )
        return matches[0] if matches else None

    def _load_organisations(self, rows, municipalities):
        tally = self._tally("organisations")
        sectors = {sector.code: sector for sector in Sector.objects.all()}
        kinds = set(Organisation.Kind.values)
        new_locations = []
        for row in rows:
            names = [row["name"], *row.get("aliases", [])]
            if row["kind"] not in kinds:
                raise CommandError(f"{row['name']}: unknown kind {row['kind']!r}.")
            missing = set(row.get("sectors", [])) - set(sectors)
            if missing:
                raise CommandError(
                    f"{row['name']}: unknown sectors {sorted(missing)}; run migrate first."
                )
            organisation = self._find_organisation(names)
            created = organisation is None
            if created:
                municipality = None
                if row.get("municipality"):
                    municipality = municipalities.get(row["municipality"].lower())
                    if municipality is None:
                        raise CommandError(
                            f"{row['name']}: unknown municipality {row['municipality']!r}."
                        )
                organisation = Organisation(
                    name=row["name"],
                    kind=row["kind"],
                    municipality=municipality,
                    website=row.get("website", ""),
                    active=row.get("active", True),
                )
                self._save_valid(organisation)
                organisation.sectors.set([sectors[code] for code in row.get("sectors", [])])
                if row.get("parent"):
                    new_locations.append((organisation, row["parent"]))
            tally.count(created)
            for name in names:
                self.organisations[name.lower()] = organisation

        # A school location's board may come later in the file, so link them afterwards.
        for location, parent_name in new_locations:
            location.parent = self._organisation(parent_name)
            self._save_valid(location)

    def _organisation(self, name):
        try:
            return self.organisations[name.lower()]
        except KeyError:
            raise CommandError(
                f"{name!r} is neither an organisation nor an alias in organisations.json."
            ) from None

    def _save_valid(self, instance):
        try:
            instance.full_clean()
        except ValidationError as error:
            raise CommandError(f"{instance}: {error}") from error
        instance.save()

    def _load_agreements(self, rows):
        tally = self._tally("agreements")
        commitments = self._tally("commitments")
        kinds = set(Agreement.Kind.values)
        found = {}
        for row in rows:
            if row["kind"] not in kinds:
                raise CommandError(f"{row['name']}: unknown kind {row['kind']!r}.")
            # The language fields are named explicitly: `name` would mean the active language.
            agreement = Agreement.objects.filter(
                Q(slug=row["slug"]) | Q(name_nl__iexact=row["name"])
            ).first()
            created = agreement is None
            if created:
                agreement = Agreement(
                    name_nl=row["name"],
                    name_en=row.get("name_en") or None,
                    slug=row["slug"],
                    kind=row["kind"],
                    date=date.fromisoformat(row["date"]) if row.get("date") else None,
                    summary_nl=row.get("summary", ""),
                    summary_en=row.get("summary_en", ""),
                    is_public=row.get("is_public", True),
                )
                self._save_valid(agreement)
            self._add_english(agreement, row, ["name", "summary"], created=created)
            tally.count(created)
            found[row["slug"]] = agreement

            for item in row.get("commitments", []):
                commitment, created = Commitment.objects.get_or_create(
                    agreement=agreement,
                    number=item["number"],
                    defaults={
                        "title_nl": item["title"],
                        "title_en": item.get("title_en", ""),
                        "description_nl": item.get("description", ""),
                        "description_en": item.get("description_en", ""),
                    },
                )
                self._add_english(commitment, item, ["title", "description"], created=created)
                commitments.count(created)
        return found

    def _add_english(self, instance, row, fields, *, created):
        """Fill in the English versions that are still empty; a text someone wrote stays.

        A row created just now already has them; older databases get them on the next run.
        """
        tally = self._tally("English texts")
        provided = [field for field in fields if row.get(f"{field}_en")]
        missing = [] if created else [f for f in provided if not getattr(instance, f"{f}_en")]
        for field in provided:
            tally.count(created or field in missing)
        if missing:
            for field in missing:
                setattr(instance, f"{field}_en", row[f"{field}_en"])
            self._save_valid(instance)

    def _load_signatures(self, groups, agreements):
        tally = self._tally("signatures")
        statuses = set(Signature.Status.values)
        for group in groups:
            try:
                agreement = agreements[group["agreement"]]
            except KeyError:
                raise CommandError(
                    f"signatures.json: unknown agreement {group['agreement']!r}."
                ) from None
            for row in group["signatories"]:
                if row["status"] not in statuses:
                    raise CommandError(f"{row['organisation']}: unknown status {row['status']!r}.")
                organisation = self._organisation(row["organisation"])
                exists = Signature.objects.filter(
                    organisation=organisation, agreement=agreement
                ).exists()
                if not exists:
                    # An existing signature is left alone, whatever its status: users may
                    # have changed it since, and the history must stay theirs.
                    note = row.get("note") or group.get("note", "")
                    if row.get("whole_agenda"):
                        note = f"{note} {WHOLE_AGENDA_NOTE}".strip()
                    signature_create(
                        organisation=organisation,
                        agreement=agreement,
                        status=row["status"],
                        by=None,
                        signed_on=agreement.date,
                        signed_by=row.get("signed_by", ""),
                        note=note,
                    )
                tally.count(not exists)

    # Demo users and contacts ---------------------------------------------------------------

    def _load_users(self, data):
        tally = self._tally("users")
        memberships = self._tally("memberships")
        password = data["password"]
        user_model = get_user_model()
        logins = []
        for row in data["users"]:
            staff_role = row.get("staff_role", "")
            if staff_role and staff_role not in StaffRole.values:
                raise CommandError(f"{row['email']}: unknown staff role {staff_role!r}.")
            user = user_model.objects.filter(email__iexact=row["email"]).first()
            user_created = user is None
            if user_created:
                user = user_model.objects.create_user(
                    row["email"],
                    password,
                    first_name=row.get("first_name", ""),
                    last_name=row.get("last_name", ""),
                    staff_role=staff_role,
                )
            # An existing user keeps their password; it is never reset here.
            tally.count(user_created)

            roles = [str(StaffRole(staff_role).label)] if staff_role else []
            for item in row.get("memberships", []):
                if item["role"] not in MemberRole.values:
                    raise CommandError(f"{row['email']}: unknown member role {item['role']!r}.")
                organisation = self._organisation(item["organisation"])
                membership, created = Membership.objects.get_or_create(
                    user=user, organisation=organisation, defaults={"role": item["role"]}
                )
                memberships.count(created)
                roles.append(f"{membership.get_role_display()}, {organisation.name}")

            works = user_created or user.check_password(password)
            logins.append((user.email, "; ".join(roles), password if works else "(changed)"))
        return logins

    def _load_contacts(self, rows):
        tally = self._tally("contacts")
        for row in rows:
            organisation = self._organisation(row["organisation"])
            exists = Contact.objects.filter(
                organisation=organisation, name__iexact=row["name"]
            ).exists()
            if not exists:
                self._save_valid(
                    Contact(
                        organisation=organisation,
                        name=row["name"],
                        function=row.get("function", ""),
                        email=row.get("email", ""),
                        phone=row.get("phone", ""),
                        topics=row.get("topics", ""),
                    )
                )
            tally.count(not exists)

    def _load_site_settings(self, values):
        """Fill in the programme office's details that are still empty, with demo values."""
        tally = self._tally("site settings")
        site = SiteSettings.get_solo()
        empty = [field for field in values if getattr(site, field) in ("", None)]
        for field in values:
            tally.count(field in empty)
        if empty:
            for field in empty:
                setattr(site, field, values[field])
            self._save_valid(site)

    # Output --------------------------------------------------------------------------------

    def _print_summary(self, agreements, logins):
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        for label, tally in self.tallies.items():
            write(f"  {label:<15} {tally.total:>4} in the data, {tally.created:>4} new")
        write("  Signatures per agreement:")
        for slug, agreement in agreements.items():
            counts = {
                status: agreement.signatures.filter(status=status).count()
                for status in Signature.Status.values
            }
            detail = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
            write(f"    {slug:<30} {sum(counts.values()):>4}" + (f"  ({detail})" if detail else ""))

        if logins:
            write("")
            write(self.style.SUCCESS("Demo logins:"))
            rows = [("E-mail", "Role", "Password"), *logins]
            widths = [max(len(row[column]) for row in rows) for column in range(3)]
            for row in rows:
                cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                write("  " + "  ".join(cells).rstrip())
