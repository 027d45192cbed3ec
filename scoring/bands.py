"""Classification bands (xếp loại) of the PAR index, set per year.

A band applies from its lower bound (inclusive) up to the next band's lower bound (exclusive); the
last band has no lower bound and takes everything below. The 2022 example
(:data:`DEFAULT_BANDS`): Excellent (Xuất sắc) ≥ 95; Good (Tốt) 85 to < 95; Fair (Khá) 75 to < 85;
Average (Trung bình) 70 to < 75; Weak (Yếu) < 70.

For a command line, bands are written ``"excellent:95,good:85,fair:75,average:70,weak"``
(:meth:`Bands.parse`); ``str(bands)`` writes that form back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.errors import ScoringError
from scoring.text import nfc

#: Vietnamese labels of the usual band keys, used when a band spec gives keys only.
KNOWN_LABELS: dict[str, str] = {
    "excellent": "Xuất sắc",
    "good": "Tốt",
    "fair": "Khá",
    "average": "Trung bình",
    "weak": "Yếu",
}


@dataclass(frozen=True)
class Band:
    """One band: machine ``key``, display ``label`` (Vietnamese, NFC) and inclusive ``lower`` bound."""

    key: str
    label: str
    lower: float | None


def _band(item: Band | tuple[Any, ...]) -> Band:
    if isinstance(item, Band):
        key, label, lower = item.key, item.label, item.lower
    else:
        try:
            key, label, lower = item
        except (TypeError, ValueError) as exc:
            raise ScoringError("invalid_bands", f"a band is (key, label, lower bound or None), not {item!r}") from exc
    if not isinstance(key, str) or not key.strip():
        raise ScoringError("invalid_bands", f"a band key must be a non-empty string, not {key!r}")
    if lower is not None:
        try:
            lower = float(lower)
        except (TypeError, ValueError) as exc:
            raise ScoringError("invalid_bands", f"band {key!r} has a non-numeric bound {lower!r}") from exc
        if not math.isfinite(lower):
            raise ScoringError("invalid_bands", f"band {key!r} has a non-finite bound {lower!r}")
    return Band(key.strip(), nfc(str(label)), lower)


@dataclass(frozen=True, init=False)
class Bands:
    """An ordered set of bands, highest first.

    Parameters
    ----------
    bands : iterable of Band or (key, label, lower) tuples
        Highest band first; lower bounds strictly decreasing; the last band, and only it, has
        ``lower=None``.

    Examples
    --------
    >>> bands = Bands.parse("excellent:95,good:85,fair:75,average:70,weak")
    >>> bands.classify([95.0, 94.99, 70.0, 69.99]).tolist()
    ['excellent', 'good', 'average', 'weak']
    >>> bands.label("good")
    'Tốt'
    """

    bands: tuple[Band, ...]

    def __init__(self, bands: Iterable[Band | tuple[Any, ...]]) -> None:
        items = tuple(_band(b) for b in bands)
        if not items:
            raise ScoringError("invalid_bands", "at least one band is needed")
        keys = [b.key for b in items]
        if len(set(keys)) != len(keys):
            raise ScoringError("invalid_bands", f"band keys must be unique: {keys}")
        if items[-1].lower is not None or any(b.lower is None for b in items[:-1]):
            raise ScoringError(
                "invalid_bands",
                "only the last (lowest) band, and it always, has no lower bound, so every index gets a band",
            )
        bounds = [b.lower for b in items[:-1]]
        if any(hi <= lo for hi, lo in zip(bounds, bounds[1:], strict=False)):
            raise ScoringError("invalid_bands", f"lower bounds must decrease strictly: {bounds}")
        object.__setattr__(self, "bands", items)

    @classmethod
    def parse(cls, spec: str, labels: Mapping[str, str] | None = None) -> Bands:
        """Bands from ``"key:lower,key:lower,...,key"`` (highest first, last without a bound).

        Labels come from ``labels``, else :data:`KNOWN_LABELS`, else the key itself.
        """
        if not isinstance(spec, str) or not spec.strip():
            raise ScoringError("invalid_bands", "a band spec is a string like 'excellent:95,good:85,weak'")
        names = {**KNOWN_LABELS, **(labels or {})}
        items = []
        for part in spec.split(","):
            key, sep, bound = part.partition(":")
            key = key.strip()
            if sep and not bound.strip():
                raise ScoringError("invalid_bands", f"band {key!r} has ':' but no bound in {spec!r}")
            items.append((key, names.get(key, key), bound.strip() if sep else None))
        return cls(items)

    def __iter__(self) -> Iterator[Band]:
        return iter(self.bands)

    def __len__(self) -> int:
        return len(self.bands)

    def __str__(self) -> str:
        return ",".join(b.key if b.lower is None else f"{b.key}:{b.lower:g}" for b in self.bands)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(b.key for b in self.bands)

    def label(self, key: str) -> str:
        """The display label of a band key."""
        for b in self.bands:
            if b.key == key:
                return b.label
        raise ScoringError("invalid_bands", f"no band {key!r} in {self}")

    def classify(self, values: Iterable[float] | float) -> np.ndarray:
        """Band key of each value (object array; None for a missing value). Bounds are inclusive."""
        x = np.atleast_1d(np.asarray(values, dtype=np.float64))
        out = np.full(x.shape, None, dtype=object)
        done = np.isnan(x)
        for b in self.bands:
            hit = ~done if b.lower is None else ~done & (x >= b.lower)
            out[hit] = b.key
            done |= hit
        return out


#: The 2022 example: Excellent ≥ 95; Good 85 to < 95; Fair 75 to < 85; Average 70 to < 75; Weak < 70.
DEFAULT_BANDS = Bands(
    [
        ("excellent", "Xuất sắc", 95),
        ("good", "Tốt", 85),
        ("fair", "Khá", 75),
        ("average", "Trung bình", 70),
        ("weak", "Yếu", None),
    ]
)


def as_bands(bands: Bands | str | Iterable[Any]) -> Bands:
    """Accept a :class:`Bands`, a spec string or a list of band tuples."""
    if isinstance(bands, Bands):
        return bands
    if isinstance(bands, str):
        return Bands.parse(bands)
    return Bands(bands)
