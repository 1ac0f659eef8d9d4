from django.db import models


class Role(models.TextChoices):
    """The roles people hold. Each is a Django group of the same name, set up by `setup_roles`;
    which organisation or locality a role applies to is held by the scoped memberships."""

    APPLICANT = "applicant", "Applicant"
    BOARD_MEMBER = "board_member", "Board member"
    GRANTS_OFFICER = "grants_officer", "Grants officer"
    COMMISSIONER = "commissioner", "Commissioner"
    ASSESSOR = "assessor", "Kitemark assessor"
    PROVIDER = "provider", "Provider"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    FUNDER = "funder", "Funder"
    EDITOR = "editor", "Editor"
    ADMINISTRATOR = "administrator", "Administrator"


class LegalForm(models.TextChoices):
    UNINCORPORATED = "unincorporated", "Unincorporated group or association"
    CHARITY = "charity", "Registered charity (trust or association)"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    COMPANY_LIMITED_BY_GUARANTEE = "clg", "Company limited by guarantee"
    FAITH_GROUP = "faith_group", "Faith group"
    OTHER = "other", "Other"


class OrganisationRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    COMMUNITY = "community", "Community representative"
    PARENT = "parent", "Parent representative"
    PARTNER = "partner", "Partner representative"


class DocumentKind(models.TextChoices):
    GOVERNING_DOCUMENT = "governing_document", "Governing document"
    SAFEGUARDING_POLICY = "safeguarding_policy", "Safeguarding policy"
    INSURANCE = "insurance", "Public liability insurance"
    BANK_STATEMENT = "bank_statement", "Bank statement"
    ACCOUNTS = "accounts", "Annual accounts"
    PHOTO = "photo", "Photo"
    OTHER = "other", "Other document"
