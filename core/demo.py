"""The demo borough: a fictional place with enough people, groups and structure to try every journey.

Idempotent: running it twice changes nothing. Everything here is invented.
"""

from dataclasses import dataclass

from django.db import transaction

from core.enums import BoardRole, LegalForm, OrganisationRole, Role
from core.models import (
    AdvisoryBoard,
    BoardMembership,
    Locality,
    LocalityStaff,
    Organisation,
    OrganisationMembership,
    User,
)
from core.roles import role_group, roles_set_up

DEMO_PASSWORD = "seedbed-demo-2026"  # noqa: S105 - printed on start; demo data only
# One authenticator secret shared by every demo account, so a tester can add it to an app once.
DEMO_TOTP_SECRET = "SEEDBEDDEMOBRACKENFORDBOROUGH234"  # noqa: S105

LOCALITIES = [
    ("Ashby Vale", "The market town and the villages along the Vale road."),
    ("Millbrook", "The old mill streets, the canal and the Millbrook estate."),
    (
        "Harrowgate Fields",
        "The newer estates north of the ring road, with the most young families.",
    ),
    ("Riverside", "The town centre and the river wards, with the borough's busiest family hub."),
]

ORGANISATION_NAMES = [
    ("Ashby Vale Dads' Walking Group", LegalForm.UNINCORPORATED),
    ("Millbrook Toddler Stay and Play", LegalForm.UNINCORPORATED),
    ("Harrowgate Kitchen Table", LegalForm.UNINCORPORATED),
    ("Riverside Parent Carers' Forum", LegalForm.CHARITY),
    ("St Bride's Community Pantry", LegalForm.FAITH_GROUP),
    ("Vale Young Carers", LegalForm.CIO),
    ("Canal Side Boxing Club", LegalForm.CIC),
    ("Brackenford Money Advice", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
    ("Millbrook Mosque Youth Circle", LegalForm.FAITH_GROUP),
    ("Fields Family Football", LegalForm.UNINCORPORATED),
    ("Harrowgate Homework Club", LegalForm.CIO),
    ("Riverside Refugee Welcome", LegalForm.CHARITY),
    ("The Sewing Room Co-operative", LegalForm.CIC),
    ("Ashby Baby Bank", LegalForm.CHARITY),
    ("Brackenford Dads Matter", LegalForm.CIO),
    ("Millbrook Allotment Families", LegalForm.UNINCORPORATED),
    ("New Beginnings Perinatal Peer Support", LegalForm.CIO),
    ("Riverside Youth Theatre", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
    ("Harrowgate Autism Parents Together", LegalForm.UNINCORPORATED),
    ("Vale Men's Shed", LegalForm.CHARITY),
    ("Bright Futures Tutoring", LegalForm.CIC),
    ("Millbrook Gurdwara Seva Kitchen", LegalForm.FAITH_GROUP),
    ("Kinship Carers Brackenford", LegalForm.CIO),
    ("Fields Junior Park Run Volunteers", LegalForm.OTHER),
    ("Riverside Domestic Abuse Peer Group", LegalForm.CHARITY),
    ("Ashby Vale Scouts Family Camp", LegalForm.CHARITY),
    ("Harrowgate Community Café", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
    ("Millbrook Grandparents' Club", LegalForm.UNINCORPORATED),
    ("The Quiet Room SEND Support", LegalForm.CIC),
    ("Brackenford Family Mediation", LegalForm.COMPANY_LIMITED_BY_GUARANTEE),
]

POSTCODES = ["BF1 2AB", "BF2 3CD", "BF3 4EF", "BF4 5GH"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    note: str


def _registration_numbers(index: int, legal_form: str) -> dict[str, str]:
    if legal_form in (LegalForm.CHARITY, LegalForm.CIO):
        # A Scottish and an older, six-digit English charity among them, to show every identifier form.
        if index == 11:
            return {"charity_number": "SC049876"}
        if index == 19:
            return {"charity_number": "512345"}
        return {"charity_number": f"{1190000 + index * 37}"}
    if legal_form in (LegalForm.CIC, LegalForm.COMPANY_LIMITED_BY_GUARANTEE):
        return {"company_number": f"{9876000 + index * 53:08d}"}
    return {}


def _user(
    email: str, name: str, *, roles: tuple[Role, ...] = (), staff: bool = False, mfa: bool
) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = staff
        user.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for role in roles:
        user.groups.add(role_group(role))
    if mfa:
        _enrol_totp(user)
    return user


def _enrol_totp(user: User) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.utils import encrypt

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
        )
        RecoveryCodes.activate(user)


@transaction.atomic
def seed_core() -> list[DemoLogin]:
    roles_set_up()
    localities = []
    for name, description in LOCALITIES:
        locality, _ = Locality.objects.get_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name, "description": description}
        )
        localities.append(locality)

    logins: list[DemoLogin] = []

    def login(email: str, role: str, note: str = "") -> None:
        logins.append(DemoLogin(email, role, note))

    admin = _user(
        "admin@demo.seedbed.test",
        "Alex Administrator",
        roles=(Role.ADMINISTRATOR,),
        staff=True,
        mfa=True,
    )
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    login(admin.email, "Administrator", "every part of the staff area")

    officer = _user(
        "officer@demo.seedbed.test", "Priya Officer", roles=(Role.GRANTS_OFFICER,), mfa=True
    )
    LocalityStaff.objects.get_or_create(user=officer, locality=localities[0])
    LocalityStaff.objects.get_or_create(user=officer, locality=localities[1])
    login(officer.email, "Grants officer", "Ashby Vale and Millbrook")

    for email, name, role, note in [
        ("commissioner@demo.seedbed.test", "Chris Commissioner", Role.COMMISSIONER, ""),
        ("assessor@demo.seedbed.test", "Ade Assessor", Role.ASSESSOR, "kitemark"),
        ("finance@demo.seedbed.test", "Fran Finance", Role.FINANCE_OFFICER, ""),
        ("editor@demo.seedbed.test", "Eddie Editor", Role.EDITOR, "the public website"),
    ]:
        user = _user(email, name, roles=(role,), mfa=True)
        login(user.email, role.label, note)

    funder = _user("funder@demo.seedbed.test", "Florence Funder", roles=(Role.FUNDER,), mfa=False)
    login(funder.email, "Funder", "")

    organisations = []
    for index, (name, legal_form) in enumerate(ORGANISATION_NAMES):
        locality = localities[index % len(localities)]
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = Organisation(
                name=name,
                legal_form=legal_form,
                address=f"{index + 3} {locality.name} Road\nBrackenford",
                postcode=POSTCODES[index % len(POSTCODES)],
                description=f"{name} is run by local volunteers in {locality.name}.",
                **_registration_numbers(index, legal_form),
            )
            organisation.full_clean()
            organisation.save()
            organisation.localities.add(locality)
        organisations.append(organisation)

    applicant = _user(
        "applicant@demo.seedbed.test", "Sam Applicant", roles=(Role.APPLICANT,), mfa=False
    )
    OrganisationMembership.objects.get_or_create(
        user=applicant, organisation=organisations[0], defaults={"role": OrganisationRole.OWNER}
    )
    login(applicant.email, "Applicant", organisations[0].name)

    provider = _user("provider@demo.seedbed.test", "Pat Provider", roles=(Role.PROVIDER,), mfa=True)
    OrganisationMembership.objects.get_or_create(
        user=provider, organisation=organisations[7], defaults={"role": OrganisationRole.OWNER}
    )
    login(provider.email, "Provider", organisations[7].name)

    board_roles = [
        BoardRole.CHAIR,
        BoardRole.COMMUNITY,
        BoardRole.PARENT,
        BoardRole.PARENT,
        BoardRole.PARTNER,
    ]
    first_names = ["Jo", "Kamal", "Lena", "Mo", "Nia"]
    for locality in localities:
        board, _ = AdvisoryBoard.objects.get_or_create(
            locality=locality,
            defaults={"name": f"{locality.name} Community Matters board", "quorum": 3},
        )
        for position, board_role in enumerate(board_roles):
            slug = locality.slug.split("-")[0]
            email = f"board.{slug}.{position + 1}@demo.seedbed.test"
            member = _user(
                email,
                f"{first_names[position]} {locality.name.split()[0]}",
                roles=(Role.BOARD_MEMBER,),
                mfa=True,
            )
            BoardMembership.objects.get_or_create(
                board=board, user=member, defaults={"role": board_role}
            )
            if locality == localities[0]:
                login(email, "Board member", f"{board_role.label}, {locality.name}")
    return logins
