"""The AWS libraries' log records, kept free of what this app sends and receives.

At DEBUG, botocore logs every request's parameters (passwords, codes, SECRET_HASHes,
tokens) and every answer (tokens, client secrets), and ``botocore.auth`` logs the
canonical request with the session token and the request's signature. urllib3 and boto3
log beside it. While this app makes a Cognito call, every record of a logger under
``LIBRARY_LOGGERS``, at any level, keeps only the first words of its format and its
logger's name: its arguments, traceback and stack are dropped.

The guard sits in the log record factory, where every record is made, rather than in a
filter on chosen loggers: a logger's filters see only the records made by that very
logger (not its children's), and botocore has dozens of loggers, some made on first use.
Records of other services' calls, made outside ``withholding_library_logs()``, are left
alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

LIBRARY_LOGGERS = ("botocore", "boto3", "urllib3")
WITHHELD = "%s [withheld by cognito_auth: it may hold passwords, codes, tokens or signatures]"
# The literal words a format starts with ("Making request for OperationModel", "CanonicalRequest"):
# written by the library's authors, so they carry none of the call's data.
_FIRST_WORDS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")

_making_cognito_call: ContextVar[bool] = ContextVar("cognito_auth_call", default=False)


@contextmanager
def withholding_library_logs() -> Iterator[None]:
    """Mark the code run inside (this thread or task) as a Cognito call of this app."""
    token = _making_cognito_call.set(True)
    try:
        yield
    finally:
        _making_cognito_call.reset(token)


def is_library_logger(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in LIBRARY_LOGGERS)


def withhold(record: logging.LogRecord) -> None:
    """Reduce ``record`` to its logger's first words. A message with no arguments may have
    been formatted with data already, so none of it is kept."""
    first_words = ""
    if record.args and isinstance(record.msg, str):
        found = _FIRST_WORDS.match(record.msg)
        first_words = found.group(0) if found else ""
    record.msg = WITHHELD
    record.args = (first_words,)
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None


class WithholdingRecordFactory:
    """A log record factory that withholds library records made during a Cognito call,
    wrapping the factory that was installed before it."""

    def __init__(self, wrapped: Callable[..., logging.LogRecord]) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.wrapped(*args, **kwargs)
        if _making_cognito_call.get() and is_library_logger(record.name):
            withhold(record)
        return record


def install() -> None:
    """Put the withholding factory in place, once per process."""
    if not isinstance(logging.getLogRecordFactory(), WithholdingRecordFactory):
        logging.setLogRecordFactory(WithholdingRecordFactory(logging.getLogRecordFactory()))
