"""A logging filter that removes what must never reach a log: email addresses, tokens, card-like numbers."""

import logging
import re
import traceback

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (
        re.compile(r"(?i)(token|key|secret|password|code|session(?:id)?)=([^&\s]+)"),
        r"\1=[redacted]",
    ),
    (re.compile(r"\b(?:sk|pk|rk|whsec)_(?:live_|test_)?[A-Za-z0-9]{8,}\b"), "[secret]"),
    (re.compile(r"\b\d{13,19}\b"), "[number]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Tracebacks stay (faults must be fixable) but the text in them is redacted.
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return True
