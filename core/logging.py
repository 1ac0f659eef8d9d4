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


def traceback_without_messages(exc: BaseException) -> str:
    """Where each exception in the chain happened and of what type, but not its message.

    Messages quote what was typed (a ValueError echoes the value, a database error the row), and no
    pattern can recognise a child's name; the type and the stack are what fixing a fault needs.
    """
    seen: set[int] = set()
    blocks: list[str] = []
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        name = kind.__qualname__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        frames = "".join(traceback.format_tb(current.__traceback__))
        blocks.append(
            f"Traceback (most recent call last):\n{frames}{name} (message withheld){link}"
        )
        if current.__cause__ is not None:
            current = current.__cause__
            link = "\n\nThe above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
            link = "\n\nDuring handling of the above exception, another exception occurred:"
        else:
            current = None
    return "\n\n".join(reversed(blocks))


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks stay (faults must be fixable), without the exceptions' messages.
            record.exc_text = redact(traceback_without_messages(record.exc_info[1]))
        return True
