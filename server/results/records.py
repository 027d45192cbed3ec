"""pandas results as JSON-ready Python: what a score run stores (``runs``), compares (``year_on_year``) and
``par rank`` prints."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def records(frame: pd.DataFrame | None) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: numpy scalars to Python, NaN and NA to None."""
    if frame is None:
        return []
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): plain(v) for k, v in row.items()})
    return out


def plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
