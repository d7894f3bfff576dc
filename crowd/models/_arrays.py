"""Input checks shared by the models: one place that says what a valid sample is."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def finite_1d(values: ArrayLike, name: str = "values") -> NDArray[np.float64]:
    """Return ``values`` as a 1-D float array; reject NaN, inf and other shapes."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr
