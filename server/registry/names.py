"""Names as the registry stores them: trimmed, in Unicode NFC (Vietnamese typed on different keyboards
compares equal)."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())
