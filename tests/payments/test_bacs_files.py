"""The payment run's files: the CSV for a finance system and the Bacs Standard 18 records.

Positions below are counted from 1, as the layout is documented (docs/bacs-layout.md), so a
field at positions 36-46 is the slice [35:46].
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.bacs import (
    CSV_COLUMNS,
    BacsFileError,
    BacsInstruction,
    BacsOriginator,
    bacs_csv,
    bacs_standard18,
    bacs_text,
    normalise_account_number,
    normalise_sort_code,
)

COUNCIL = BacsOriginator(
    name="Brackenford BC",
    sort_code="40-11-62",
    account_number="31926819",
    service_user_number="123456",
)
PROCESSING_DATE = datetime.date(2025, 4, 1)
RUN_REFERENCE = "PR-2025-0007"


def instruction(**overrides) -> BacsInstruction:
    fields = {
        "payment_id": 42,
        "payee_name": "Riverside Café Collective",
        "sort_code": "20-00-00",
        "account_number": "0123456",  # seven digits: padded to 00123456
        "amount_pence": 125_050,
        "reference": "SEEDBED CM-0042-1",
    }
    return BacsInstruction(**(fields | overrides))


def standard18(instructions, *, originator=COUNCIL, run_reference=RUN_REFERENCE) -> str:
    return bacs_standard18(
        instructions,
        originator=originator,
        processing_date=PROCESSING_DATE,
        run_reference=run_reference,
    )


def csv_file(instructions, *, originator=COUNCIL, run_reference=RUN_REFERENCE) -> str:
    return bacs_csv(
        instructions,
        originator=originator,
        processing_date=PROCESSING_DATE,
        run_reference=run_reference,
    )


def records(text: str) -> list[str]:
    """The file's lines, having checked every one ends CRLF and nothing follows the last."""
    assert text.endswith("\r\n")
    lines = text.split("\r\n")
    assert lines[-1] == ""
    return lines[:-1]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# Standard 18


def test_a_credit_record_is_laid_out_field_by_field():
    credit, _contra = records(standard18([instruction()]))

    assert credit[0:6] == "200000"  # destination sort code
    assert credit[6:14] == "00123456"  # destination account, padded to 8 digits
    assert credit[14:15] == "0"  # destination account type
    assert credit[15:17] == "99"  # transaction code: a Bacs Direct Credit
    assert credit[17:23] == "401162"  # the council's sort code
    assert credit[23:31] == "31926819"  # the council's account
    assert credit[31:35] == "    "  # free format / RTI: blank, this is not payroll
    assert credit[35:46] == "00000125050"  # £1,250.50 in pence, 11 digits
    assert credit[46:64] == "BRACKENFORD BC    "  # the council's name
    assert credit[64:82] == "SEEDBED CM-0042-1 "  # the reference on the group's statement
    assert credit[82:100] == "RIVERSIDE CAFE COL"  # the account name, folded and cut to 18
    assert credit == (
        "200000" "00123456" "0" "99" "401162" "31926819" "    " "00000125050"
        "BRACKENFORD BC    " "SEEDBED CM-0042-1 " "RIVERSIDE CAFE COL"
    )  # fmt: skip


def test_the_contra_debits_the_council_with_the_run_total():
    payments = [
        instruction(payment_id=1, amount_pence=125_050),
        instruction(payment_id=2, amount_pence=49_999),
        instruction(payment_id=3, amount_pence=1),
    ]
    *credits, contra = records(standard18(payments))

    assert len(credits) == 3
    assert contra[0:6] == "401162"  # the council's own account is the destination...
    assert contra[6:14] == "31926819"
    assert contra[14:15] == "0"
    assert contra[15:17] == "17"  # ...and it is debited
    assert contra[17:23] == "401162"
    assert contra[23:31] == "31926819"
    assert contra[31:35] == "    "
    assert contra[35:46] == "00000175050"
    assert contra[46:64] == "PR-2025-0007      "  # the run, as the council's statement shows it
    assert contra[64:82] == "CONTRA            "
    assert contra[82:100] == "BRACKENFORD BC    "
    assert int(contra[35:46]) == sum(int(credit[35:46]) for credit in credits)


def test_every_line_is_100_ascii_characters_ending_crlf():
    payments = [
        instruction(payment_id=1, payee_name="Æbleskiver & Friends Community Café"),
        instruction(payment_id=2, payee_name="Zoë", reference="Grant for Zoë’s group"),
        instruction(payment_id=3, payee_name="A very long name for a bowls club indeed"),
    ]
    text = standard18(payments)

    assert text.isascii()
    assert "\n" not in text.replace("\r\n", "")
    assert [len(record) for record in records(text)] == [100, 100, 100, 100]


def test_payments_stay_in_the_order_they_were_given():
    text = standard18(
        [
            instruction(payment_id=7, payee_name="Seventh"),
            instruction(payment_id=3, payee_name="Third"),
            instruction(payment_id=5, payee_name="Fifth"),
        ]
    )
    payees = [record[82:100].strip() for record in records(text)[:-1]]
    assert payees == ["SEVENTH", "THIRD", "FIFTH"]


def test_the_largest_single_payment_fills_the_amount_field():
    credit, contra = records(standard18([instruction(amount_pence=9_999_999_999)]))
    assert credit[35:46] == "09999999999"
    assert contra[35:46] == "09999999999"


def test_a_run_whose_total_overflows_the_contra_is_refused():
    payments = [instruction(payment_id=n, amount_pence=9_999_999_999) for n in range(1, 12)]
    with pytest.raises(BacsFileError, match="Split it into smaller runs") as error:
        standard18(payments)
    assert error.value.payment_id is None


# CSV


def test_the_csv_parses_back_to_the_same_values():
    payments = [
        instruction(),
        instruction(
            payment_id=43,
            payee_name="Oakfield Tenants' Association",
            sort_code="01 23 45",  # a leading zero that must survive
            account_number="00001234",
            amount_pence=5,
            reference="SEEDBED CM-0043-1",
        ),
    ]
    text = csv_file(payments)

    assert text.startswith(",".join(f'"{column}"' for column in CSV_COLUMNS) + "\r\n")
    assert len(records(text)) == 3
    assert csv_rows(text) == [
        {
            "payment_id": "42",
            "payee_name": "Riverside Café Collective",
            "sort_code": "200000",
            "account_number": "00123456",
            "amount_pence": "125050",
            "amount_pounds": "1250.50",
            "reference": "SEEDBED CM-0042-1",
            "processing_date": "2025-04-01",
            "run_reference": "PR-2025-0007",
        },
        {
            "payment_id": "43",
            "payee_name": "Oakfield Tenants' Association",
            "sort_code": "012345",
            "account_number": "00001234",
            "amount_pence": "5",
            "amount_pounds": "0.05",
            "reference": "SEEDBED CM-0043-1",
            "processing_date": "2025-04-01",
            "run_reference": "PR-2025-0007",
        },
    ]


def test_the_csv_quotes_sort_codes_and_account_numbers_as_text():
    text = csv_file([instruction(sort_code="012345", account_number="00001234")])
    assert ',"012345","00001234",125050,1250.50,' in text


def test_the_csv_keeps_names_as_held_while_standard18_folds_them():
    payment = instruction(payee_name="Côr Llanfair – Ysgol", reference="Grant for Côr")

    row = csv_rows(csv_file([payment]))[0]
    assert (row["payee_name"], row["reference"]) == ("Côr Llanfair – Ysgol", "Grant for Côr")
    credit = records(standard18([payment]))[0]
    assert (credit[82:100], credit[64:82]) == ("COR LLANFAIR - YSG", "GRANT FOR COR     ")


def test_line_breaks_in_a_name_do_not_break_the_csv_row():
    text = csv_file([instruction(payee_name="Riverside\r\nCafé\tCollective")])
    assert len(records(text)) == 2
    assert csv_rows(text)[0]["payee_name"] == "Riverside Café Collective"


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_the_csv_neutralises_spreadsheet_formulas(dangerous):
    text = csv_file(
        [instruction(payee_name=dangerous, reference=dangerous)], run_reference=dangerous
    )
    row = csv_rows(text)[0]
    assert row["payee_name"] == f"'{dangerous}"
    assert row["reference"] == f"'{dangerous}"
    assert row["run_reference"] == f"'{dangerous}"


def test_a_tab_or_carriage_return_cannot_start_a_csv_cell():
    text = csv_file([instruction(payee_name="\t=1+1", reference="\r=1+1")])
    row = csv_rows(text)[0]
    # Leading whitespace is trimmed first; what it hid is then made safe.
    assert row["payee_name"] == "'=1+1"
    assert row["reference"] == "'=1+1"


# Text, sort codes and account numbers


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("Café", "CAFE"),
        ("Zoë – Ørsted", "ZOE - ORSTED"),
        ("Æthelred Straße", "AETHELRED STRASSE"),
        ("St Mary’s Church", "ST MARYS CHURCH"),
        ("Smith, Jones & Co.", "SMITH JONES & CO."),
        ("Unit 4/5 (rear)", "UNIT 4/5 REAR"),
        ("ﬁne ＡＢＣ", "FINE ABC"),
        ("  lots   of\tspace ", "LOTS OF SPACE"),
        ("中文", ""),
    ],
)
def test_text_is_folded_into_the_bacs_character_set(given_text, expected):
    assert bacs_text(given_text, 18) == expected.ljust(18)


def test_text_is_cut_or_padded_to_the_width():
    assert bacs_text("Brackenford Borough Council", 18) == "BRACKENFORD BOROUG"
    assert bacs_text("BC", 6) == "BC    "
    assert bacs_text("", 3) == "   "


@pytest.mark.parametrize("given_code", ["40-11-62", "40 11 62", "401162", " 40–11–62 "])
def test_sort_codes_are_accepted_however_they_are_written(given_code):
    assert normalise_sort_code(given_code) == "401162"


@pytest.mark.parametrize("given_code", ["", "40-11-6", "40-11-621", "4O-11-62", "40/11/62"])
def test_a_sort_code_that_is_not_six_digits_is_refused(given_code):
    with pytest.raises(BacsFileError, match="sort code"):
        normalise_sort_code(given_code)


@pytest.mark.parametrize(
    ("given_number", "expected"),
    [
        ("31926819", "31926819"),
        ("3192 6819", "31926819"),
        ("1234567", "01234567"),
        ("123456", "00123456"),
    ],
)
def test_account_numbers_are_eight_digits_with_short_ones_padded(given_number, expected):
    assert normalise_account_number(given_number) == expected


@pytest.mark.parametrize(
    ("given_number", "message"),
    [
        ("", "is missing"),
        ("12345", "has 5"),
        ("123456789", "has 9"),
        ("1234567890", "has 10"),
        ("1234567A", "digits only"),
    ],
)
def test_an_account_number_that_is_not_eight_digits_is_refused(given_number, message):
    with pytest.raises(BacsFileError, match="account number") as error:
        normalise_account_number(given_number)
    assert message in str(error.value)


# Refusals: both layouts refuse the same things, with a message naming the payment


@pytest.mark.parametrize("write", [standard18, csv_file], ids=["standard18", "csv"])
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"payee_name": ""}, "Payment 7: the payee's name is empty"),
        ({"payee_name": "   "}, "Payment 7: the payee's name is empty"),
        ({"payee_name": "中文"}, "Payment 7 (中文): the payee's name has no letters"),
        ({"sort_code": "40-11"}, "Payment 7 (Riverside Café Collective): the sort code should"),
        ({"sort_code": ""}, "the sort code is missing"),
        ({"account_number": "12345"}, "the account number should be 8 digits"),
        ({"account_number": "12-34-AB-CD"}, "the account number should be digits only"),
        ({"amount_pence": 0}, "the amount is £0.00; a payment must be more than £0.00"),
        ({"amount_pence": -100}, "the amount is -£1.00"),
        ({"amount_pence": 10_000_000_000}, "more than the largest single payment"),
        ({"amount_pence": 12.5}, "a whole number of pence"),
        ({"amount_pence": Decimal("12.50")}, "a whole number of pence"),
        ({"reference": ""}, "the reference is empty"),
        ({"reference": "¿¿¿"}, "the reference is empty"),
    ],
)
def test_a_payment_a_bank_would_bounce_is_refused_by_name(write, overrides, message):
    with pytest.raises(BacsFileError) as error:
        write([instruction(payment_id=6), instruction(payment_id=7, **overrides)])
    assert message in str(error.value)
    assert error.value.payment_id == 7


@pytest.mark.parametrize("write", [standard18, csv_file], ids=["standard18", "csv"])
def test_the_same_payment_twice_is_refused(write):
    payments = [instruction(payment_id=7), instruction(payment_id=8), instruction(payment_id=7)]
    with pytest.raises(BacsFileError, match="Payment 7 is in this run more than once") as error:
        write(payments)
    assert error.value.payment_id == 7


@pytest.mark.parametrize("write", [standard18, csv_file], ids=["standard18", "csv"])
def test_an_empty_run_is_refused(write):
    with pytest.raises(BacsFileError, match="There are no payments in this run") as error:
        write([])
    assert error.value.payment_id is None


@pytest.mark.parametrize("write", [standard18, csv_file], ids=["standard18", "csv"])
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "the name is empty"),
        ({"sort_code": "40-11-6"}, "the sort code should be 6 digits"),
        ({"account_number": "319268199"}, "the account number should be 8 digits"),
    ],
)
def test_the_councils_own_bad_bank_details_are_refused(write, overrides, message):
    fields = {"name": "Brackenford BC", "sort_code": "40-11-62", "account_number": "31926819"}
    originator = BacsOriginator(**(fields | overrides))
    with pytest.raises(BacsFileError, match="The council's own bank details") as error:
        write([instruction()], originator=originator)
    assert message in str(error.value)
    assert error.value.payment_id is None


@pytest.mark.parametrize("write", [standard18, csv_file], ids=["standard18", "csv"])
def test_a_run_without_a_reference_is_refused(write):
    with pytest.raises(BacsFileError, match="The run needs a reference"):
        write([instruction()], run_reference="  ")


def test_a_processing_date_with_a_time_is_a_programming_error():
    with pytest.raises(TypeError):
        bacs_standard18(
            [instruction()],
            originator=COUNCIL,
            processing_date=datetime.datetime(2025, 4, 1, 9, 30),
            run_reference=RUN_REFERENCE,
        )


# Properties over any valid run

LETTERS_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
names = st.builds(
    str.__add__,
    st.sampled_from(LETTERS_AND_DIGITS),
    st.text(alphabet=LETTERS_AND_DIGITS + " .&/-',()éÉñçøßŁ’–\t", max_size=40),
)
sort_codes = st.builds(
    lambda number, separator: separator.join(
        (f"{number:06d}"[0:2], f"{number:06d}"[2:4], f"{number:06d}"[4:6])
    ),
    st.integers(min_value=0, max_value=999_999),
    st.sampled_from(["", "-", " "]),
)
account_numbers = st.one_of(
    st.integers(min_value=0, max_value=99_999_999).map(lambda number: f"{number:08d}"),
    st.integers(min_value=100_000, max_value=9_999_999).map(str),  # six or seven digits
)
instructions = st.builds(
    BacsInstruction,
    payment_id=st.integers(min_value=1, max_value=2**31),
    payee_name=names,
    sort_code=sort_codes,
    account_number=account_numbers,
    amount_pence=st.integers(min_value=1, max_value=9_999_999_999),
    reference=names,
)
# Ten payments at the largest amount still fit the contra's 11 digits.
runs = st.lists(instructions, min_size=1, max_size=10, unique_by=lambda item: item.payment_id)


@given(runs)
def test_any_valid_run_balances_and_every_record_is_100_characters(payments):
    *credits, contra = records(standard18(payments))

    assert len(credits) == len(payments)
    assert all(len(record) == 100 and record.isascii() for record in [*credits, contra])
    assert [record[15:17] for record in credits] == ["99"] * len(payments)
    assert [int(record[35:46]) for record in credits] == [p.amount_pence for p in payments]
    assert contra[15:17] == "17"
    assert int(contra[35:46]) == sum(int(record[35:46]) for record in credits)
    assert int(contra[35:46]) == sum(payment.amount_pence for payment in payments)


@given(runs)
def test_any_valid_run_survives_the_csv_round_trip(payments):
    rows = csv_rows(csv_file(payments))

    assert [int(row["payment_id"]) for row in rows] == [p.payment_id for p in payments]
    assert [int(row["amount_pence"]) for row in rows] == [p.amount_pence for p in payments]
    assert [Decimal(row["amount_pounds"]) * 100 for row in rows] == [
        p.amount_pence for p in payments
    ]
    assert [row["sort_code"] for row in rows] == [
        normalise_sort_code(p.sort_code) for p in payments
    ]
    assert [row["account_number"] for row in rows] == [
        normalise_account_number(p.account_number) for p in payments
    ]
