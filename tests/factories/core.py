import time

import factory
from allauth.account.models import EmailAddress

from core.enums import BoardRole, LegalForm, OrganisationRole, Role
from core.models import (
    AdvisoryBoard,
    BoardMembership,
    Locality,
    Organisation,
    OrganisationMembership,
    User,
)

TEST_PASSWORD = "correct horse battery staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code_now(secret: str = TEST_TOTP_SECRET, offset_steps: int = 0) -> str:
    """The authenticator app's code, taken early enough in its 30 seconds to still be accepted
    when the form arrives (allauth allows no drift)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset_steps))


def force_login_past_two_step(client, user: User) -> None:
    """Signed in as if through the sign-in pages, two-step sign-in included
    (core.middleware.RequireMFAMiddleware), for tests about what comes after."""
    from core.middleware import SESSION_MFA_OK

    client.force_login(user)
    session = client.session
    session[SESSION_MFA_OK] = True
    session.save()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        obj.save()

    @factory.post_generation
    def roles(obj, create, extracted: tuple[Role, ...] | None, **kwargs):
        if create and extracted:
            from core.roles import role_group, roles_set_up

            roles_set_up()
            for role in extracted:
                obj.groups.add(role_group(role))

    @factory.post_generation
    def with_mfa(obj, create, extracted, **kwargs):
        if create and extracted:
            from allauth.mfa.models import Authenticator
            from allauth.mfa.utils import encrypt

            Authenticator.objects.create(
                user=obj, type=Authenticator.Type.TOTP, data={"secret": encrypt(TEST_TOTP_SECRET)}
            )


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Locality {n}")
    slug = factory.Sequence(lambda n: f"locality-{n}")
    description = "A place in the borough."


class AdvisoryBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdvisoryBoard

    locality = factory.SubFactory(LocalityFactory)
    name = factory.LazyAttribute(lambda o: f"{o.locality.name} board")
    quorum = 3


class BoardMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMembership

    board = factory.SubFactory(AdvisoryBoardFactory)
    user = factory.SubFactory(UserFactory, with_mfa=True)
    role = BoardRole.COMMUNITY


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community Group {n}")
    legal_form = LegalForm.UNINCORPORATED
    address = "1 High Street\nBrackenford"
    postcode = "BF1 2AB"

    class Params:
        charity = factory.Trait(legal_form=LegalForm.CHARITY, charity_number="1123456")
        cio = factory.Trait(legal_form=LegalForm.CIO, charity_number="1190001")
        cic = factory.Trait(legal_form=LegalForm.CIC, company_number="01234567")
        company = factory.Trait(
            legal_form=LegalForm.COMPANY_LIMITED_BY_GUARANTEE, company_number="SC123456"
        )
        faith = factory.Trait(legal_form=LegalForm.FAITH_GROUP)

    @factory.post_generation
    def localities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.localities.set(extracted)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationRole.OWNER
