"""Frames with a column contract: the one cast every report store's frames go through.

SQLite hands back untyped values (epoch microseconds, 0/1, NULL-bearing object columns); both
stores (TLS-RPT and DMARC) cast what they read here, so every producer of a frame matches its
empty frame column for column and dtype for dtype.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

UTC_NS: Final = "datetime64[ns, UTC]"


def typed_frame(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` in order, cast to the contract dtypes.

    Numeric timestamp columns are read as epoch microseconds (as SQLite stores them).
    """
    out = pd.DataFrame(index=frame.index)
    for name, dtype in columns.items():
        column = frame[name]
        if dtype == UTC_NS:
            if pd.api.types.is_numeric_dtype(column.dtype):
                out[name] = pd.to_datetime(column, unit="us", utc=True).astype(UTC_NS)
            else:
                out[name] = pd.to_datetime(column, utc=True).astype(UTC_NS)
        else:
            out[name] = column.astype(pd.api.types.pandas_dtype(dtype))
    return out.reset_index(drop=True)


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """No rows, the contract's columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
