import datetime

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from internships.models import Message, Report, new_receipt_code, receipt_code_hash
from lokaal.models import (
    Case,
    Match,
    ProgrammeYear,
    Room,
    ShadowingBooking,
    ShadowingSlot,
    ShortageSubject,
    Submission,
    TimelineEntry,
    TrainingRoute,
)
from partners.models import Agreement, Commitment, Contact, Membership, Organisation, Signature
from portal.models import User

PASSWORD = "Correct-Horse-Battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Staff users get an authenticator by default, as the portal requires of them."""
        self.save()
        if create and (extracted if extracted is not None else self.requires_second_factor):
            self.totp_secret = generate_totp_secret()
            TOTP.activate(self, self.totp_secret)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Stichting Voorbeeld {n}")
    kind = Organisation.Kind.SCHOOL_BOARD


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "editor"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    name = factory.Sequence(lambda n: f"Manifest {n}")
    slug = factory.Sequence(lambda n: f"manifest-{n}")
    kind = Agreement.Kind.MANIFESTO


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Commitment {n}")


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    organisation = factory.SubFactory(OrganisationFactory)
    agreement = factory.SubFactory(AgreementFactory)
    status = Signature.Status.SIGNED


# The desk (lokaal) ---------------------------------------------------------------------


class ShortageSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortageSubject
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"vak-{n}")
    name = factory.Sequence(lambda n: f"Vak {n}")
    sectors = factory.LazyFunction(lambda: ["vo"])
    shortage_fte = 10


class TrainingRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRoute

    name = factory.Sequence(lambda n: f"Zij-instroomtraject {n}")
    duration_months = 24


class ProgrammeYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeYear
        django_get_or_create = ["year"]

    year = factory.LazyFunction(lambda: timezone.localdate().year)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in any status, with its first status row (as workflow.create writes it).

    For a case as the intake makes it, call lokaal.services.intake_submit instead.
    """

    class Meta:
        model = Case

    name = factory.Sequence(lambda n: f"Kandidaat {n}")
    email = factory.Sequence(lambda n: f"kandidaat{n}@example.org")
    origin_sector = "business_services"
    education_level = "hbo"
    target_sectors = factory.LazyFunction(lambda: ["vo"])
    first_response_due = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=7)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        case = super()._create(model_class, *args, **kwargs)
        case.log_status(source="", target=case.status, by=None, note="", at=case.created_at)
        return case


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    case = factory.SubFactory(CaseFactory)
    data = factory.LazyAttribute(lambda o: {"name": o.case.name, "email": o.case.email})
    language = "nl"


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    case = factory.SubFactory(CaseFactory)
    kind = "note"
    text = "Notitie"


class ShadowingSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShadowingSlot

    organisation = factory.SubFactory(OrganisationFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    sector = "vo"
    places = 2


class ShadowingBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShadowingBooking

    slot = factory.SubFactory(ShadowingSlotFactory)
    case = factory.SubFactory(CaseFactory)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    sector = "vo"
    places = 2
    hours_per_week = 24

    @factory.post_generation
    def subjects(self, create, extracted, **kwargs):
        if create and extracted:
            self.subjects.set(extracted)


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    case = factory.SubFactory(CaseFactory)
    room = factory.SubFactory(RoomFactory)
    score = 50
    explanation = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        match = super()._create(model_class, *args, **kwargs)
        match.log_status(source="", target=match.status, by=None, note="", at=match.proposed_at)
        return match


class ReportFactory(factory.django.DjangoModelFactory):
    """An internship report in any status, with its first status row.

    Its receipt code is on the instance as `receipt_code` (only its hash is stored). For a
    report as the public form makes it, call internships.services.report_submit instead.
    """

    class Meta:
        model = Report

    receipt_code = factory.LazyFunction(new_receipt_code)
    receipt_code_hash = factory.LazyAttribute(lambda o: receipt_code_hash(o.receipt_code))
    reporter_role = "student"
    level = "mbo"
    phase = "internship"
    grounds = factory.LazyFunction(lambda: ["origin"])
    description = "Mij werd gezegd dat ik met mijn hoofddoek niet bij de klant kon werken."
    wish = "conversation"
    consent_at = factory.LazyFunction(timezone.now)
    language = "nl"
    response_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        code = kwargs.pop("receipt_code")
        report = super()._create(model_class, *args, **kwargs)
        report.log_status(source="", target=report.status, by=None, note="", at=report.created_at)
        report.receipt_code = code
        return report

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        code = kwargs.pop("receipt_code")
        report = super()._build(model_class, *args, **kwargs)
        report.receipt_code = code
        return report


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    report = factory.SubFactory(ReportFactory)
    direction = "from_reporter"
    body = "Is er al iets bekend?"
