"""Escaping for markup written in Python (the rows and widgets the pages build without the template
engine): the text Django's ``conditional_escape`` gives, without marking each piece safe on its
own — the caller marks the whole markup safe once."""

from __future__ import annotations

import html
from functools import lru_cache


@lru_cache(maxsize=4096)
def _escape_str(value: str) -> str:
    return html.escape(value)


def esc(value) -> str:
    """``value`` as HTML text: escaped, unless it is marked safe (``__html__``). Plain strings are
    remembered: the same labels and values come back on every row."""
    if type(value) is str:
        return _escape_str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
