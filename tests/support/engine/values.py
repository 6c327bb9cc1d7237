"""Property values as the engine holds them, and their trip through protobuf.

A property bag here is a plain JSON-like dict in wire form, the way the SDK sends it in a
RegisterResourceRequest: a secret is `{SIG: SECRET_SIG, "value": v}`, an unknown (preview
only) is the `UNKNOWN` sentinel string, numbers are floats once they have crossed a
`google.protobuf.Struct`. The engine keeps secrets and unknowns in its own state and strips
the secrets before talking to a provider that does not accept them (dynamic providers answer
Configure with `acceptSecrets=False`); `reveal` is that stripping, `annotate` is the engine's
re-marking of a provider's answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

SIG = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
UNKNOWN = rpc.UNKNOWN

Props = dict[str, Any]


def secret(value: Any) -> dict[str, Any]:
    """Wrap `value` as a wire-form secret (idempotent)."""
    if is_secret(value):
        return dict(value)
    return {SIG: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    """True for a wire-form secret."""
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def contains_secret(value: Any) -> bool:
    """True if `value` is or holds a secret at any depth."""
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def reveal(value: Any) -> Any:
    """Return `value` with every secret replaced by its plaintext, at any depth."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def contains_unknown(value: Any) -> bool:
    """True if `value` is or holds the unknown sentinel."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def annotate(props: Mapping[str, Any], like: Mapping[str, Any], extra: Iterable[str] = ()) -> Props:
    """Mark `props[k]` secret where `like[k]` holds a secret or `k` is in `extra`.

    This is how the engine keeps outputs of secret inputs secret and applies
    `additional_secret_outputs` to what a provider returned in plaintext.
    """
    forced = set(extra)
    marked: Props = {}
    for key, value in props.items():
        if key in forced or contains_secret(like.get(key)):
            marked[key] = secret(reveal(value))
        else:
            marked[key] = value
    return marked


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Top-level keys whose revealed values differ (an unknown always differs)."""
    keys = set(old) | set(new)
    return sorted(
        k for k in keys if contains_unknown(new.get(k)) or reveal(old.get(k)) != reveal(new.get(k))
    )


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Serialize a wire-form bag with the SDK's own `serialize_properties`.

    Like the SDK, this drops top-level None values and sends every number as a float.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct) -> Props:
    """Read a Struct back into wire form, keeping secrets and unknown sentinels as they are."""
    value = json_format.MessageToDict(struct)
    return value if isinstance(value, dict) else {}


def config_text(value: Any) -> str:
    """A stack config value as the engine holds it: text (JSON for anything but a string)."""
    return value if isinstance(value, str) else json.dumps(value)


def ignore_changes(news: Props, olds: Props, keys: Iterable[str]) -> Props:
    """Keep the old value of every ignored top-level key (nested paths are not modelled)."""
    kept = dict(news)
    for key in keys:
        if key in olds:
            kept[key] = olds[key]
        else:
            kept.pop(key, None)
    return kept


def settle(changes: str, old_inputs: Props, new_inputs: Props) -> str:
    """A Diff's "unknown" becomes "some" or "none" from the inputs (diffResource)."""
    if changes != "unknown":
        return changes
    return "some" if changed_keys(old_inputs, new_inputs) else "none"
