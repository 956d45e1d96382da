"""Compare sandbox bodies with EasyPost's documented example responses, key by key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parents[1] / "easypost_examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "null"


def shape_problems(actual: Any, documented: Any, path: str = "$") -> list[str]:
    """Keys the documented body has and `actual` lacks, and type mismatches (null is a wildcard)."""
    problems: list[str] = []
    if documented is None or actual is None:
        return problems
    if _kind(actual) != _kind(documented):
        return [f"{path}: {_kind(actual)} instead of {_kind(documented)}"]
    if isinstance(documented, dict):
        for key, value in documented.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems.extend(shape_problems(actual[key], value, f"{path}.{key}"))
    elif isinstance(documented, list) and documented and actual:
        problems.extend(shape_problems(actual[0], documented[0], f"{path}[0]"))
    return problems


def assert_shape(actual: Any, example_name: str, *, skip: tuple[str, ...] = ()) -> None:
    documented = example(example_name)
    problems = [p for p in shape_problems(actual, documented) if not p.startswith(skip)]
    assert not problems, f"differs from {example_name}: {problems}"
