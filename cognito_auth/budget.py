"""One time budget per request for all of its Cognito work.

A page may make several Cognito calls (SRP's two steps, a reset and the look-up of whose
password it was, a renewal and a JWKS fetch before the view's own call). Each is bounded
by the connect and read timeouts, but their sum is not; so a request carries one deadline,
``COGNITO_AUTH_REQUEST_BUDGET`` seconds after its Cognito work began, and every call or
JWKS fetch gets at most what is left of it as its timeouts:

- a call that cannot get ``MINIMUM_CALL`` seconds is not sent (``ServiceUnavailable``:
  the person reads "temporarily unavailable");
- an optional follow-up (the reset's identity look-up, RevokeToken at logout) is skipped
  when less than ``FOLLOW_UP_MINIMUM`` seconds are left, with a WARNING naming it.

``request_budget()`` sets the deadline: ``CognitoSessionMiddleware`` enters it around the
whole request, and the views, the backend and the bearer-token check enter it at their
own entry for sites without the middleware. Only the outermost one counts, so a view
inside the middleware shares the request's deadline. Outside any (management commands,
scripts, the shell) there is no deadline: each call has its own timeouts only.

The deadline is a ``contextvars.ContextVar``: per thread and per asyncio task, never
shared between requests.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from .conf import app_settings
from .exceptions import ServiceUnavailable

logger = logging.getLogger("cognito_auth")

# Timeouts under a deadline are rounded down to a multiple of this many seconds: botocore
# fixes a client's timeouts when it is built, so each pair is one cached client
# (client.boto3_client), and the rounding keeps them to a few dozen per endpoint at most.
TIER = 0.5
# A call needs at least one tier to connect and one to read, or it is not sent.
MINIMUM_CALL = 2 * TIER
# An optional follow-up call goes only with this many seconds left: Cognito answers in a
# fraction of a second when healthy, so only a request whose earlier calls were already
# slow skips it.
FOLLOW_UP_MINIMUM = 2.0

_deadline: ContextVar[float | None] = ContextVar("cognito_auth_deadline", default=None)
View = TypeVar("View", bound=Callable[..., Any])


@contextmanager
def request_budget() -> Iterator[None]:
    """Give the Cognito work inside one deadline, ``COGNITO_AUTH_REQUEST_BUDGET`` seconds
    from now (None: no deadline). Inside another ``request_budget``, the outer one holds.
    Usable as a decorator too."""
    seconds = app_settings.REQUEST_BUDGET
    if _deadline.get() is not None or seconds is None:
        yield
        return
    token = _deadline.set(time.monotonic() + float(seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def within_request_budget(view: View) -> View:
    """Decorate a (sync) view or ``dispatch`` so its Cognito work shares one deadline."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with request_budget():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def remaining() -> float | None:
    """Seconds left of the request's budget (never below 0), or None outside any."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _tier(seconds: float) -> float:
    return math.floor(seconds / TIER) * TIER


def timeouts(connect: float, read: float, what: str = "Cognito call") -> tuple[float, float]:
    """The (connect, read) timeouts in seconds for one attempt of a call or fetch:
    ``connect`` and ``read`` themselves outside a deadline, else cut so that both
    together fit in what is left (rounded down to ``TIER``; connect at most half).

    :raises ServiceUnavailable: less than ``MINIMUM_CALL`` seconds are left: not sent.
    """
    left = remaining()
    if left is None:
        return connect, read
    if left < MINIMUM_CALL:
        raise ServiceUnavailable(f"no time left in the request's budget for the {what}; not sent")
    cut_connect = max(TIER, min(connect, _tier(left / 2)))
    cut_read = max(TIER, min(read, _tier(left - cut_connect)))
    return cut_connect, cut_read


def allows_follow_up(what: str) -> bool:
    """Whether an optional follow-up call (``what``, for the log) has time to go. When it
    has not, a WARNING says it was skipped and what that leaves undone."""
    left = remaining()
    if left is None or left >= FOLLOW_UP_MINIMUM:
        return True
    logger.warning(
        "Skipped %s: %.1f s of the request's Cognito budget (COGNITO_AUTH_REQUEST_BUDGET) were left, "
        "less than the %.1f s a follow-up call needs; earlier Cognito calls of the request were slow.",
        what, left, FOLLOW_UP_MINIMUM,
    )
    return False
