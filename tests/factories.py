import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

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
