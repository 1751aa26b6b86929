"""Plan files: YAML text to a Plan, with every mistake reported at its line, in plain words.

`plan_parse(text, name)` is what the file mode, the plan import and the web plan editor all
call, so an analyst sees the same message wherever they wrote the plan:

    field-rep.yaml, line 9, column components.0.rate: expected a number, got 'five percent'
"""

from __future__ import annotations

import yaml
from pydantic import ValidationError

from .commission_inputs import InputError
from .plans import Plan

#: Pydantic's wording, said the way an analyst would read it.
MESSAGES = {
    "missing": "this field is required",
    "extra_forbidden": "is not a plan field (check the spelling)",
    "decimal_parsing": "expected a number such as 0.05 or 1500.00",
    "decimal_type": "expected a number such as 0.05 or 1500.00",
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD",
    "date_parsing": "expected a date written YYYY-MM-DD",
    "date_type": "expected a date written YYYY-MM-DD",
    "string_pattern_mismatch": "only letters, digits, '-', '_' and '.' (no spaces)",
    "int_parsing": "expected a whole number",
    "bool_parsing": "expected true or false",
    "too_short": "needs at least one entry",
}


class _PlanLoader(yaml.SafeLoader):
    """YAML without implicit dates: '2026-13-01' stays text, so the plan check can say what
    is wrong with it instead of the YAML reader failing on it."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _node_line(root: yaml.Node | None, loc: tuple) -> int | None:
    """The line (1-based) of the YAML node at a Pydantic error location; for a missing key,
    the line of the mapping it is missing from."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    found = value
                    line = key.start_mark.line + 1
                    break
            if found is None:
                return line
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _message(error: dict) -> str:
    kind = error.get("type", "")
    text = MESSAGES.get(kind)
    if text is None:
        text = str(error.get("msg", "")).removeprefix("Value error, ")
    given = error.get("input")
    if (
        kind not in ("missing",)
        and isinstance(given, str | int | float)
        and not isinstance(given, bool)
    ):
        text += f", got {given!r}"
    return text


def plan_parse(text: str, name: str = "plan.yaml") -> Plan:
    """The plan a YAML text describes; InputError lists every problem with its line."""
    try:
        root = yaml.compose(text, Loader=_PlanLoader)
        data = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise InputError([(name, line, "", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise InputError([(name, 1, "", "a plan file is a set of 'field: value' lines")])
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
            where = ".".join(str(part) for part in loc)
            problems.append((name, _node_line(root, loc), where, _message(item)))
        raise InputError(problems) from None
