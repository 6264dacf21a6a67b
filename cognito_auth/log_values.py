"""Text from outside (Cognito's answers, a token's claims) made fit for a log line, an
exception message or the admin.

An endpoint that is not Cognito, or a Lambda trigger's message, may answer anything: a
challenge name of a megabyte, a newline that forges the next log line, terminal escapes,
bidirectional overrides. ``loggable`` bounds the length and writes every control or
format character as an escape, so one line stays one line of known size.
"""

from __future__ import annotations

import unicodedata

#: Default bound for names and codes (a challenge name, an error code, a username).
NAME_LIMIT = 100
#: Bound for Cognito's error texts, which may carry a Lambda trigger's own message.
MESSAGE_LIMIT = 500


def _escaped(char: str) -> str:
    if unicodedata.category(char)[0] != "C":  # Cc, Cf, Cs, Co, Cn: nothing a log should carry raw
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def loggable(value: object, limit: int = NAME_LIMIT) -> str:
    """``value`` as text of at most ``limit`` characters (plus a note of how many more
    there were), every control or format character written as ``\\xNN`` / ``\\uNNNN``.

    :returns: the text; ``""`` for None.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    kept = "".join(_escaped(char) for char in text[:limit])
    if len(text) > limit:
        kept += f"… ({len(text) - limit} more characters)"
    return kept
