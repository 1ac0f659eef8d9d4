"""The roles a new installation starts with. After set-up they are data: change them in the admin."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.enums import Role
from core.models import RolePolicy


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    description: str
    requires_mfa: bool
    permissions: tuple[str, ...] = field(default=())


GRANTS_OFFICER_PERMISSIONS = (
    "grants.view_fund",
    "grants.add_fund",
    "grants.change_fund",
    "grants.view_fundingsource",
    "grants.add_fundingsource",
    "grants.change_fundingsource",
    "grants.view_application",
    "grants.change_application",
    "grants.decide_rapid_response",
    "grants.record_payment",
    "grants.view_boardmeeting",
    "grants.add_boardmeeting",
    "grants.change_boardmeeting",
    "grants.view_ledgerentry",
)

# Preparing payment runs, checking groups' bank details and recording match funding. Approving a
# run and taking its BACS file are a finance officer's alone (payments.permissions): two people.
PAYMENT_PREPARER_PERMISSIONS = (
    "payments.view_paymentrun",
    "payments.add_paymentrun",
    "payments.change_paymentrun",
    "payments.view_payment",
    "payments.view_bankdetails",
    "payments.change_bankdetails",
    "payments.view_contribution",
    "grants.add_ledgerentry",
)

STAFF_BASICS = ("wagtailadmin.access_admin", "core.view_locality", "core.view_organisation")

DEFAULT_ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition(Role.APPLICANT, "Applies for funding for a group they belong to.", False),
    RoleDefinition(
        Role.BOARD_MEMBER,
        "Sits on a locality's advisory board: declares interests, scores and votes.",
        True,
    ),
    RoleDefinition(
        Role.GRANTS_OFFICER,
        "Screens applications, makes delegated awards, chases monitoring, reports to committee.",
        True,
        (
            *STAFF_BASICS,
            "core.view_privatedocument",
            "core.change_organisation",
            "core.view_auditentry",
            "core.view_advisoryboard",
            "core.view_boardmembership",
            "outcomes.code_narratives",
            "outcomes.view_outcomes_reports",
            "outcomes.view_all_families",
            "outcomes.add_familyrecord",
            "outcomes.add_codebook",
            "outcomes.change_codebook",
            "outcomes.view_codebook",
            "outcomes.add_code",
            "outcomes.change_code",
            "outcomes.view_code",
            *GRANTS_OFFICER_PERMISSIONS,
            *PAYMENT_PREPARER_PERMISSIONS,
        ),
    ),
    RoleDefinition(
        Role.COMMISSIONER,
        "Publishes needs, runs rapid commissioning, awards and monitors contracts.",
        True,
        (
            *STAFF_BASICS,
            "core.view_privatedocument",
            "core.view_auditentry",
            "core.view_all_localities",
            "outcomes.view_outcomes_reports",
        ),
    ),
    RoleDefinition(
        Role.ASSESSOR,
        "Assesses kitemark self-assessments and evidence; awards, renews and suspends kitemarks.",
        True,
        (*STAFF_BASICS, "core.view_privatedocument", "core.view_all_localities"),
    ),
    RoleDefinition(
        Role.PROVIDER,
        "Works for a commissioned organisation: submits returns and family-reported outcomes.",
        True,
        ("outcomes.add_familyrecord",),
    ),
    RoleDefinition(
        Role.FINANCE_OFFICER,
        "Approves payment runs and reconciles money in and out.",
        True,
        (
            *STAFF_BASICS,
            "core.view_auditentry",
            "core.view_all_localities",
            "grants.view_fund",
            "grants.view_application",
            "grants.view_ledgerentry",
            "grants.record_payment",
            *PAYMENT_PREPARER_PERMISSIONS,
            "payments.approve_paymentrun",
            "payments.download_bacs_file",
            "payments.view_reconciliation",
            "payments.add_reconciliation",
            "payments.view_stripeevent",
        ),
    ),
    RoleDefinition(Role.FUNDER, "Contributes to a locality fund and sees what it paid for.", False),
    RoleDefinition(
        Role.EDITOR,
        "Runs the public early-help website.",
        True,
        (
            "wagtailadmin.access_admin",
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
        ),
    ),
    RoleDefinition(
        Role.ADMINISTRATOR,
        "Sets up localities, boards, roles and people.",
        True,
        (
            *STAFF_BASICS,
            "core.view_all_localities",
            "core.view_privatedocument",
            "core.add_locality",
            "core.change_locality",
            "core.add_advisoryboard",
            "core.change_advisoryboard",
            "core.view_advisoryboard",
            "core.add_boardmembership",
            "core.change_boardmembership",
            "core.delete_boardmembership",
            "core.view_boardmembership",
            "core.add_localitystaff",
            "core.change_localitystaff",
            "core.delete_localitystaff",
            "core.view_localitystaff",
            "core.change_organisation",
            "core.view_auditentry",
            "core.view_rolepolicy",
            "core.view_outboxtask",
            "core.add_rolepolicy",
            "core.change_rolepolicy",
            "core.view_user",
            "core.add_user",
            "core.change_user",
            "auth.view_group",
            "auth.change_group",
            "cms.change_sitesettings",
            "outcomes.add_framework",
            "outcomes.change_framework",
            "outcomes.view_framework",
            "outcomes.add_frameworkdomain",
            "outcomes.change_frameworkdomain",
            "outcomes.view_frameworkdomain",
            "outcomes.add_frameworkversion",
            "outcomes.view_frameworkversion",
            "outcomes.add_triagelevel",
            "outcomes.change_triagelevel",
            "outcomes.view_triagelevel",
            "outcomes.add_triagescale",
            "outcomes.change_triagescale",
            "outcomes.view_triagescale",
            "outcomes.add_codebook",
            "outcomes.change_codebook",
            "outcomes.view_codebook",
            "outcomes.add_code",
            "outcomes.change_code",
            "outcomes.view_code",
            "outcomes.add_issuearea",
            "outcomes.change_issuearea",
            "outcomes.view_issuearea",
        ),
    ),
)


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def roles_set_up() -> list[Group]:
    """Create any missing role group, policy and default permission. Never removes what an
    administrator has added, so running it again is safe."""
    groups = []
    for definition in DEFAULT_ROLES:
        group, _ = Group.objects.get_or_create(name=definition.role.label)
        RolePolicy.objects.get_or_create(
            group=group,
            defaults={
                "slug": definition.role.value,
                "description": definition.description,
                "requires_mfa": definition.requires_mfa,
            },
        )
        permissions = [p for p in (_permission(name) for name in definition.permissions) if p]
        group.permissions.add(*permissions)
        groups.append(group)
    _grant_editor_pages()
    return groups


def _grant_editor_pages() -> None:
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is None:
        return
    editors = Group.objects.get(name=Role.EDITOR.label)
    for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)


def role_group(role: Role) -> Group:
    return Group.objects.get(policy__slug=role.value)
