"""Text normalisation: Vietnamese labels are compared and reported in Unicode NFC.

The same name typed on two keyboards may arrive precomposed (NFC, "ở" as one code point) or
decomposed (NFD, "o" + horn + hook); without normalisation they would be two agencies.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def nfc(value: Any) -> Any:
    """NFC-normalise a string (Vietnamese keeps its precomposed diacritics); other values pass as they are."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
