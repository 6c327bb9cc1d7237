"""Composite resource ids, built and parsed in one place.

Ids are ``/``-joined parts (``{service_name}/{database_name}/{dump_id}``); no part may be
empty or contain ``/``.
"""

from __future__ import annotations

SEPARATOR = "/"


def join_id(*parts: object) -> str:
    """Join id parts; raises ValueError on an empty part or one containing the separator."""
    texts = [str(p) for p in parts]
    for text in texts:
        if not text or SEPARATOR in text:
            raise ValueError(f"invalid id part {text!r}: parts are non-empty and contain no '/'")
    return SEPARATOR.join(texts)


def split_id(resource_id: str, shape: str) -> list[str]:
    """Split ``resource_id`` following ``shape``, e.g. ``"{service}/{database}/{dump_id}"``.

    Literal parts of the shape (``restore`` in ``"{server}/restore/{backup}/{n}"``) must match.
    Raises ValueError naming the expected shape.
    """
    expected = shape.split(SEPARATOR)
    parts = resource_id.split(SEPARATOR)
    ok = len(parts) == len(expected) and all(parts)
    if ok:
        for want, got in zip(expected, parts, strict=True):
            if not want.startswith("{") and want != got:
                ok = False
    if not ok:
        raise ValueError(f"malformed id {resource_id!r}: expected {shape}")
    return [got for want, got in zip(expected, parts, strict=True) if want.startswith("{")]
