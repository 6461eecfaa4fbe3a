"""Escaping for markup written in Python (the rows and widgets the pages build without the template
engine): the text Django's ``conditional_escape`` gives, without marking each piece safe on its
own — the caller marks the whole markup safe once."""

from __future__ import annotations

import html
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import get_language


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


_TRANSLATED: dict = {}
_TRANSLATED_MAX = 4096


def translated(value, language: str | None) -> str:
    """``str(value)`` for a lazy translation (``gettext_lazy`` and the like, e.g. a choice's label),
    remembered per language: the same call (function and arguments) gives the same text in a
    language while the process runs, as Django's own catalogs, loaded once per process, do.
    Anything else, or a lazy value whose arguments cannot be a key, is turned into text as usual."""
    if not isinstance(value, Promise):
        return str(value)
    try:
        key = (language, type(value), value._args, tuple(value._kw.items()))
        text = _TRANSLATED.get(key)
    except (AttributeError, TypeError):  # not made by ``lazy``, or unhashable arguments
        return str(value)
    if text is None:
        text = str(value)
        if len(_TRANSLATED) >= _TRANSLATED_MAX:
            _TRANSLATED.clear()
        _TRANSLATED[key] = text
    return text


def labeller():
    """``esc`` for the labels of one widget's options: lazy translations through ``translated`` in
    the language active now (asked once, not once per option)."""
    language = get_language()

    def label(value) -> str:
        return esc(translated(value, language)) if isinstance(value, Promise) else esc(value)

    return label
