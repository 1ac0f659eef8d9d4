from django.core.exceptions import ValidationError

import pytest

from core.enums import LegalForm
from core.models import Organisation
from tests.factories import OrganisationFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "org_id"),
    [
        ({"legal_form": LegalForm.CHARITY, "charity_number": "1123456"}, "GB-CHC-1123456"),
        ({"legal_form": LegalForm.CHARITY, "charity_number": "SC012345"}, "GB-SC-SC012345"),
        ({"legal_form": LegalForm.CHARITY, "charity_number": "NIC100012"}, "GB-NIC-100012"),
        ({"legal_form": LegalForm.CIC, "company_number": "01234567"}, "GB-COH-01234567"),
        (
            {"legal_form": LegalForm.COMPANY_LIMITED_BY_GUARANTEE, "company_number": "SC123456"},
            "GB-COH-SC123456",
        ),
        (
            {
                "legal_form": LegalForm.CIO,
                "charity_number": "1190001",
                "company_number": "01234567",
            },
            "GB-CHC-1190001",
        ),
    ],
)
def test_registered_organisations_get_their_360giving_identifier(fields, org_id):
    organisation = OrganisationFactory(**fields)
    organisation.full_clean()
    assert organisation.org_id == org_id


@pytest.mark.django_db
def test_an_unregistered_group_gets_a_stable_local_identifier(settings):
    settings.SEEDBED_360G_PREFIX = "brackenford"
    group = OrganisationFactory(legal_form=LegalForm.UNINCORPORATED)
    assert group.org_id == f"360G-brackenford-org-{group.pk}"


@pytest.mark.django_db
def test_leading_zeros_in_a_company_number_are_kept():
    company = OrganisationFactory(cic=True, company_number="00012345")
    company.full_clean()
    assert company.org_id == "GB-COH-00012345"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"legal_form": LegalForm.CHARITY, "charity_number": ""},
            "charity_number",
            "Enter the charity number",
        ),
        (
            {"legal_form": LegalForm.CHARITY, "charity_number": "12AB"},
            "charity_number",
            "6 or 7 digits",
        ),
        (
            {"legal_form": LegalForm.CIC, "company_number": ""},
            "company_number",
            "Enter the company number",
        ),
        ({"legal_form": LegalForm.CIC, "company_number": "1234"}, "company_number", "8 characters"),
        (
            {"legal_form": LegalForm.UNINCORPORATED, "postcode": "NOT A CODE"},
            "postcode",
            "real UK postcode",
        ),
    ],
)
def test_wrong_registration_details_say_what_is_expected(fields, field, message):
    organisation = Organisation(name="Group", **fields)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert message in " ".join(error.value.message_dict[field])


@pytest.mark.django_db
def test_numbers_and_postcodes_are_tidied_as_typed_by_a_volunteer():
    organisation = Organisation(
        name="Group", legal_form=LegalForm.CHARITY, charity_number=" sc 012345 ", postcode="bf12ab"
    )
    organisation.full_clean()
    assert organisation.charity_number == "SC012345"
    assert organisation.postcode == "BF1 2AB"
