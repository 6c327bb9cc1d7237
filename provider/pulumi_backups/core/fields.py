"""Input field types shared by resources."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_DIGITS = re.compile(r"\s*\+?\d+\s*")


def integer_id(value: Any) -> Any:
    """Normalize an id given as an int, an integral float (the engine sends numbers as floats)
    or a string of digits to an int; anything else is refused with a message saying why."""
    if isinstance(value, bool):
        raise ValueError("must be an integer id, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"must be an integer id, not {value!r}")
    if isinstance(value, str):
        if _DIGITS.fullmatch(value):
            return int(value)
        raise ValueError(f"must be an integer id (digits only), not {value!r}")
    raise ValueError(f"must be an integer id, not a {type(value).__name__}")


IntegerId = Annotated[int, BeforeValidator(integer_id), Field(gt=0)]
"""A positive integer id, normalized from int, integral float or digit string."""
