"""Per-user state as JSON text.

The state is plain data (dicts, lists, strings, numbers). JSON turns int dict keys into strings,
which would silently break lookups such as the follow-up buttons' answer numbers, so dicts with
non-string keys are written as a tagged list of pairs and read back as they were.
"""
from __future__ import annotations

import json

_PAIRS = "__pairs__"


def _encode(value):
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {_PAIRS: [[k, _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {_PAIRS}:
            return {k: _decode(v) for k, v in value[_PAIRS]}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(state: dict) -> str:
    """JSON text of `state`; raises TypeError for anything that is not plain data."""
    return json.dumps(_encode(state), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> dict:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored user state is not a JSON object")
    return _decode(value)
