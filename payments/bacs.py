"""The files a payment run hands to the council's finance team: a CSV for the finance system's
import, and the same payments in the Bacs "Standard 18" fixed-width layout that Bacs bureau
software and bank portals accept.

Pure Python on purpose: the payments app decides *what* to pay; this module only lays the
payments out, and refuses anything a bank would bounce, before a file leaves Seedbed. Both
layouts run the same checks, so a run that exports as CSV would also export as Standard 18.
docs/bacs-layout.md describes both layouts column by column for the finance team.

Money is integer pence throughout; the only sums are integer sums.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import format_pence
from core.spreadsheets import csv_safe

RECORD_LENGTH = 100
FIELD_WIDTH = 18  # the width of every name and reference field in a Standard 18 record
DESTINATION_ACCOUNT_TYPE = "0"  # Bacs only uses "0" here now; the field is a relic of the 1970s
CREDIT = "99"  # a Bacs Direct Credit into the group's account
CONTRA_DEBIT = "17"  # the one debit of the council's account that balances the credits
CONTRA_REFERENCE = "CONTRA"
# Blank unless the file is payroll: HMRC's RTI hash goes here only for salary payments.
FREE_FORMAT = " " * 4

# The Standard 18 amount field is 11 digits of pence. One payment is held to £99,999,999.99 (a
# digit of headroom no small grant will ever need); the contra carries the run's total, so it may
# use the whole field.
LARGEST_PAYMENT_PENCE = 9_999_999_999
LARGEST_CONTRA_PENCE = 99_999_999_999

CSV_COLUMNS = (
    "payment_id",
    "payee_name",
    "sort_code",
    "account_number",
    "amount_pence",
    "amount_pounds",
    "reference",
    "processing_date",
    "run_reference",
)

# Bacs carries only A-Z, 0-9, full stop, ampersand, slash, hyphen and space.
_OUTSIDE_BACS_CHARACTERS = re.compile(r"[^A-Z0-9.&/\- ]")
# Letters that have no accent to strip, so Unicode's decomposition leaves them alone.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"Æ": "AE", "Œ": "OE", "Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "TH", "ẞ": "SS"}
)
# Typographic dashes (en dash, em dash, minus sign) become Bacs's hyphen, so a double-barrelled
# name keeps its meaning.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-"))
# Apostrophes and quotation marks sit inside words: "St Mary's" should read "ST MARYS", not
# "ST MARY S".
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘‛`´\"“”„", None))
# What people type or paste between the digits of a sort code or account number.
_DIGIT_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


class BacsFileError(ValueError):
    """A payment run that cannot become a file, with a message a finance officer can act on.

    `payment_id` names the payment at fault, or is None when the problem is with the run itself
    (no payments, the council's own bank details, a total too large for one file).
    """

    def __init__(self, message: str, *, payment_id: int | None = None) -> None:
        super().__init__(message)
        self.payment_id = payment_id


@dataclass(frozen=True)
class BacsOriginator:
    """The council's own account: the one every payment in the run comes out of."""

    name: str
    sort_code: str
    account_number: str
    # Not written by either layout (no submission headers are produced), but kept with the rest
    # of the council's Bacs settings for the software that adds those headers.
    service_user_number: str = ""


@dataclass(frozen=True)
class BacsInstruction:
    """One credit to one group's bank account."""

    payment_id: int
    payee_name: str
    sort_code: str
    account_number: str
    amount_pence: int
    reference: str


class _Problem(Exception):
    """A problem with one value, worded to follow "the sort code", "the payee's name" and so on."""


def bacs_text(value: str, width: int) -> str:
    """Text as Bacs can carry it: upper case, accents folded, other characters dropped or made
    spaces, then cut or space-padded to exactly `width` characters.

    "Café" becomes "CAFE", "St Mary’s" becomes "ST MARYS" and "Smith, Jones & Co." becomes
    "SMITH JONES & CO.". Text with nothing Bacs can carry becomes all spaces.
    """
    if width < 1:
        raise ValueError(f"A Bacs field is at least one character wide, not {width}.")
    text = (value or "").translate(_APOSTROPHES)
    # Compatibility decomposition splits "é" into "e" plus an accent, and "ﬁ" or full-width
    # letters into plain ones; the accents are then dropped.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(character for character in text if not unicodedata.combining(character))
    text = text.upper().translate(_LETTERS_WITHOUT_DECOMPOSITION).translate(_DASHES)
    text = _OUTSIDE_BACS_CHARACTERS.sub(" ", text)
    # Runs of spaces waste a field that is only 18 characters wide.
    text = " ".join(text.split())
    return text[:width].ljust(width)


def normalise_sort_code(value: str) -> str:
    """'40-11-62', '40 11 62' or '401162' -> '401162'. Raises BacsFileError otherwise."""
    try:
        return _sort_code(value)
    except _Problem as problem:
        raise BacsFileError(f"The sort code {problem}.") from None


def normalise_account_number(value: str) -> str:
    """Eight digits. Six- and seven-digit account numbers are padded with leading zeros, as UK
    banks do for Bacs; anything else raises BacsFileError."""
    try:
        return _account_number(value)
    except _Problem as problem:
        raise BacsFileError(f"The account number {problem}.") from None


def bacs_csv(
    instructions: Sequence[BacsInstruction],
    *,
    originator: BacsOriginator,
    processing_date: datetime.date,
    run_reference: str,
) -> str:
    """The run as CSV for a finance system's import: a header row, then one row per payment in
    the order given, in the columns of CSV_COLUMNS. Lines end CRLF; encode the text as UTF-8.

    Names and references keep the spelling Seedbed holds (the finance system applies Bacs's
    rules when it pays); sort codes and account numbers are digits only, quoted as text.
    """
    run = _checked_run(instructions, originator, processing_date, run_reference)
    buffer = io.StringIO(newline="")
    # Quoting every text cell marks the sort code and account number as text for importers that
    # honour quotes, so leading zeros survive; numbers stay unquoted.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for payment in run.payments:
        row = (
            payment.payment_id,
            payment.payee_name,
            payment.sort_code,
            payment.account_number,
            payment.amount_pence,
            _pounds(payment.amount_pence),
            payment.reference,
            processing_date.isoformat(),
            run.run_reference,
        )
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


def bacs_standard18(
    instructions: Sequence[BacsInstruction],
    *,
    originator: BacsOriginator,
    processing_date: datetime.date,
    run_reference: str,
) -> str:
    """The run as Bacs Standard 18 records: one 100-character credit record per payment in the
    order given, then one contra record debiting the council's account with the total. Every
    line ends CRLF, and the text is plain ASCII.

    No VOL1/HDR1/UHL1 labels are written: the bureau software or bank portal that submits the
    file adds them, with the processing date the officer confirms there. The date is still
    required, and checked, so both layouts take the same arguments and it is never forgotten.
    """
    run = _checked_run(instructions, originator, processing_date, run_reference)
    payer = run.payer
    records = [
        _standard18_record(
            destination_sort_code=payment.sort_code,
            destination_account_number=payment.account_number,
            transaction_code=CREDIT,
            payer=payer,
            amount_pence=payment.amount_pence,
            user_name=payer.bacs_name,
            user_reference=payment.bacs_reference,
            destination_name=payment.bacs_name,
        )
        for payment in run.payments
    ]
    records.append(
        _standard18_record(
            destination_sort_code=payer.sort_code,
            destination_account_number=payer.account_number,
            transaction_code=CONTRA_DEBIT,
            payer=payer,
            amount_pence=run.total_pence,
            # The run reference is what the council's own statement shows against the debit,
            # so finance can match one line on the statement to one payment run.
            user_name=bacs_text(run.run_reference, FIELD_WIDTH),
            user_reference=bacs_text(CONTRA_REFERENCE, FIELD_WIDTH),
            destination_name=payer.bacs_name,
        )
    )
    return "".join(f"{record}\r\n" for record in records)


@dataclass(frozen=True)
class _Payer:
    bacs_name: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class _Payment:
    payment_id: int
    payee_name: str  # as held, for the CSV
    bacs_name: str  # as Bacs carries it, 18 characters
    sort_code: str
    account_number: str
    amount_pence: int
    reference: str  # as held, for the CSV
    bacs_reference: str  # as Bacs carries it, 18 characters


@dataclass(frozen=True)
class _Run:
    payer: _Payer
    payments: tuple[_Payment, ...]
    total_pence: int
    run_reference: str


def _checked_run(
    instructions: Sequence[BacsInstruction],
    originator: BacsOriginator,
    processing_date: datetime.date,
    run_reference: str,
) -> _Run:
    """Everything both layouts refuse, checked once, so the two can never disagree."""
    # A datetime is a date too, but would put a time into the CSV's date column.
    if not isinstance(processing_date, datetime.date) or isinstance(
        processing_date, datetime.datetime
    ):
        raise TypeError(f"processing_date must be a datetime.date, not {processing_date!r}.")
    if not instructions:
        raise BacsFileError("There are no payments in this run, so there is nothing to send.")
    run_reference = _one_line(run_reference)
    if not bacs_text(run_reference, FIELD_WIDTH).strip():
        raise BacsFileError(
            "The run needs a reference made of letters or numbers: it is what the council's "
            "statement shows against the total taken from its account."
        )
    payer = _checked_payer(originator)
    payments: list[_Payment] = []
    seen_ids: set[int] = set()
    for instruction in instructions:
        if instruction.payment_id in seen_ids:
            raise BacsFileError(
                f"Payment {instruction.payment_id} is in this run more than once. "
                "Each payment can only be sent once, so remove the copy.",
                payment_id=instruction.payment_id,
            )
        seen_ids.add(instruction.payment_id)
        payments.append(_checked_payment(instruction))
    total_pence = sum(payment.amount_pence for payment in payments)
    if total_pence > LARGEST_CONTRA_PENCE:
        raise BacsFileError(
            f"This run totals {format_pence(total_pence)}, more than one Bacs file can take from "
            f"an account ({format_pence(LARGEST_CONTRA_PENCE)}). Split it into smaller runs."
        )
    return _Run(
        payer=payer,
        payments=tuple(payments),
        total_pence=total_pence,
        run_reference=run_reference,
    )


def _checked_payer(originator: BacsOriginator) -> _Payer:
    where = "The council's own bank details (the Bacs originator in settings)"
    bacs_name = bacs_text(originator.name, FIELD_WIDTH)
    if not bacs_name.strip():
        raise BacsFileError(f"{where}: the name is empty, or has no letters Bacs can carry.")
    try:
        sort_code = _sort_code(originator.sort_code)
    except _Problem as problem:
        raise BacsFileError(f"{where}: the sort code {problem}.") from None
    try:
        account_number = _account_number(originator.account_number)
    except _Problem as problem:
        raise BacsFileError(f"{where}: the account number {problem}.") from None
    return _Payer(bacs_name=bacs_name, sort_code=sort_code, account_number=account_number)


def _checked_payment(instruction: BacsInstruction) -> _Payment:
    payment_id = instruction.payment_id
    payee_name = _one_line(instruction.payee_name)
    where = f"Payment {payment_id} ({payee_name[:40]})" if payee_name else f"Payment {payment_id}"

    def refuse(message: str) -> BacsFileError:
        return BacsFileError(f"{where}: {message}", payment_id=payment_id)

    if not payee_name:
        raise refuse(
            "the payee's name is empty. Add the account holder's name as their bank knows it."
        )
    bacs_name = bacs_text(payee_name, FIELD_WIDTH)
    if not bacs_name.strip():
        raise refuse(
            "the payee's name has no letters or numbers Bacs can carry (only A to Z, 0 to 9 and "
            ". & / - are sent). Add the account holder's name as their bank knows it."
        )
    try:
        sort_code = _sort_code(instruction.sort_code)
    except _Problem as problem:
        raise refuse(f"the sort code {problem}.") from None
    try:
        account_number = _account_number(instruction.account_number)
    except _Problem as problem:
        raise refuse(f"the account number {problem}.") from None

    amount = instruction.amount_pence
    # bool is an int to Python, and a float or Decimal here means pounds crept in somewhere.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise refuse(f"the amount must be a whole number of pence, not {amount!r}.")
    if amount <= 0:
        raise refuse(f"the amount is {format_pence(amount)}; a payment must be more than £0.00.")
    if amount > LARGEST_PAYMENT_PENCE:
        raise refuse(
            f"the amount is {format_pence(amount)}, more than the largest single payment a Bacs "
            f"file can carry ({format_pence(LARGEST_PAYMENT_PENCE)})."
        )

    reference = _one_line(instruction.reference)
    bacs_reference = bacs_text(reference, FIELD_WIDTH)
    if not bacs_reference.strip():
        raise refuse(
            "the reference is empty, or has no letters or numbers Bacs can carry. The group "
            "needs it to recognise the payment on their statement."
        )
    return _Payment(
        payment_id=payment_id,
        payee_name=payee_name,
        bacs_name=bacs_name,
        sort_code=sort_code,
        account_number=account_number,
        amount_pence=amount,
        reference=reference,
        bacs_reference=bacs_reference,
    )


def _sort_code(value: str) -> str:
    digits = _DIGIT_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not digits:
        raise _Problem("is missing; it is 6 digits, like 40-11-62")
    if not _ASCII_DIGITS.fullmatch(digits) or len(digits) != 6:
        raise _Problem("should be 6 digits, like 40-11-62")
    return digits


def _account_number(value: str) -> str:
    digits = _DIGIT_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not digits:
        raise _Problem("is missing; it is 8 digits, like 31926819")
    if not _ASCII_DIGITS.fullmatch(digits):
        raise _Problem("should be digits only, like 31926819")
    if len(digits) in (6, 7):
        return digits.zfill(8)
    if len(digits) != 8:
        # Banks with longer numbers (some building societies, for example) give their customers
        # an 8-digit form for Bacs; guessing it here could pay the wrong account.
        raise _Problem(
            f"should be 8 digits, but this one has {len(digits)}. Ask the group for the "
            "8-digit account number their bank gives for Bacs payments"
        )
    return digits


def _one_line(value: str) -> str:
    """Whitespace runs (tabs, line breaks) become one space: a name or reference is one line."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _pounds(pence: int) -> Decimal:
    """12345 -> Decimal('123.45'), always two decimal places, for the CSV's pounds column."""
    return Decimal(pence).scaleb(-2)


def _standard18_record(
    *,
    destination_sort_code: str,
    destination_account_number: str,
    transaction_code: str,
    payer: _Payer,
    amount_pence: int,
    user_name: str,
    user_reference: str,
    destination_name: str,
) -> str:
    record = "".join(
        (
            destination_sort_code,  # 1-6
            destination_account_number,  # 7-14
            DESTINATION_ACCOUNT_TYPE,  # 15
            transaction_code,  # 16-17
            payer.sort_code,  # 18-23
            payer.account_number,  # 24-31
            FREE_FORMAT,  # 32-35
            f"{amount_pence:011d}",  # 36-46
            user_name,  # 47-64
            user_reference,  # 65-82
            destination_name,  # 83-100
        )
    )
    # Every field above is already exactly its width; this guards against a future edit.
    if len(record) != RECORD_LENGTH:
        raise AssertionError(f"A Standard 18 record must be {RECORD_LENGTH} characters wide.")
    return record
