"""Plan files: YAML text to a Plan, with every mistake reported at its line, in plain words.

`plan_parse(text, name)` is what the file mode, the plan import and the web plan editor all
call, so an analyst sees the same message wherever they wrote the plan. A problem is (file,
line, field, message): the line of the offending YAML node (for a missing field, the first
line of the entry that lacks it), the field's path in the plan and what it must be:

    field-rep.yaml, line 9, column components.0.rate: rate must be a number such as 0.05 or
    1500.00, not 'five percent'

`policies_parse(text, name)` does the same for policies.yaml.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal, InvalidOperation

import yaml
from pydantic import BaseModel, ValidationError

from .commission_inputs import InputError, Policy
from .plans import CODE, Plan

#: What a field must be, by Pydantic's error type, said the way an analyst would read it.
MUST_BE = {
    "decimal_parsing": "a number such as 0.05 or 1500.00",
    "decimal_type": "a number such as 0.05 or 1500.00",
    "finite_number": "a number such as 0.05 or 1500.00",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "a date written YYYY-MM-DD",
    "date_parsing": "a date written YYYY-MM-DD",
    "date_type": "a date written YYYY-MM-DD",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text (put it in quotes)",
    "list_type": "a list (one '- ' line per entry, or [a, b])",
    "dict_type": "'name: value' lines indented under it",
    "model_type": "'field: value' lines indented under it",
}
#: What a field checked against a pattern must look like, by the pattern.
PATTERNS = {
    CODE: "letters, digits, '-', '_' and '.' only (no spaces)",
    r"^[A-Z]{3}$": "a three-letter currency code in capitals such as USD",
}

#: What each part of a plan is called, for "is not a field of ...".
OWNERS = {
    "Plan": "a plan",
    "Component": "a component",
    "Filter": "a filter",
    "Tiers": "tiers",
    "Band": "a band",
    "Spif": "a SPIF",
    "Bonus": "a bonus",
    "Override": "an override",
    "Draw": "a draw",
    "Clawback": "a clawback",
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


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The plan model (Plan, Component, Tiers...) a location points into, if any."""
    model: type[BaseModel] | None = Plan
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _model_in(field.annotation)
    return model


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None


def _shown(value: object) -> str:
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "'name: value' lines"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else repr(value)


def _message(error: dict, loc: tuple) -> str:
    """What the field at `loc` must be, and what it is."""
    kind = error.get("type", "")
    names = [str(part) for part in loc if not isinstance(part, int)]
    field = names[-1] if names else "the plan"
    given = error.get("input")
    context = error.get("ctx") or {}
    if kind == "missing":
        parent = ".".join(str(part) for part in loc[:-1])
        return f"required: add '{field}: ...' to {parent or 'the plan'}"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = f": expected one of {', '.join(model.model_fields)}" if model else ""
        owner = OWNERS.get(model.__name__, "this entry") if model else "this entry"
        return f"{field!r} is not a field of {owner} (check the spelling){known}"
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace("'", "")
        return f"{field} must be {expected}, not {_shown(given)}"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        expected = PATTERNS.get(pattern, f"text matching {pattern}")
        return f"{field} must be {expected}, not {_shown(given)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"{field} must be {bound[0]} {context.get(bound[1])}, not {_shown(given)}"
    if kind == "too_short":
        return f"{field} needs at least one entry"
    if kind in MUST_BE:
        return f"{field} must be {MUST_BE[kind]}, not {_shown(given)}"
    # a rule of the plan as a whole (a model validator): its own words, without Pydantic's
    text = str(error.get("msg", ""))
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _compose(text: str, name: str) -> tuple[yaml.Node | None, object]:
    """The YAML node tree (for lines) and the data of a text; InputError if not YAML."""
    try:
        root = yaml.compose(text, Loader=_PlanLoader)
        data = yaml.load(text, Loader=_PlanLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise InputError([(name, line, "", f"not valid YAML: {problem}")]) from None
    return root, data


def plan_parse(text: str, name: str = "plan.yaml") -> Plan:
    """The plan a YAML text describes; InputError lists every problem with its line."""
    root, data = _compose(text, name)
    if not isinstance(data, dict):
        raise InputError([(name, 1, "", "a plan file is a set of 'field: value' lines")])
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
            where = ".".join(str(part) for part in loc)
            problems.append((name, _node_line(root, loc), where, _message(item, loc)))
        raise InputError(problems) from None


def plan_code_written(text: str) -> str:
    """The code a plan file gives itself, even if the file has other mistakes ('' if none)."""
    try:
        data = yaml.load(text, Loader=_PlanLoader)
    except yaml.YAMLError:
        return ""
    return str(data.get("code", "")) if isinstance(data, dict) else ""


def policies_parse(text: str, name: str = "policies.yaml") -> dict[str, Policy]:
    """The crediting policies of a policies.yaml text (a list of code, title, text, splits);
    InputError lists every problem with its line."""
    root, data = _compose(text, name)
    if data is None:
        return {}
    if not isinstance(data, list):
        raise InputError(
            [(name, 1, "", "policies.yaml is a list of policies, each starting '- code: ...'")]
        )
    policies: dict[str, Policy] = {}
    problems: list[tuple[str, int | None, str, str]] = []
    for index, entry in enumerate(data):
        line = _node_line(root, (index,))
        if not isinstance(entry, dict):
            problems.append((name, line, str(index), "each policy is 'code:', 'title:', 'splits:'"))
            continue
        for key in entry:
            if key not in ("code", "title", "text", "splits"):
                problems.append(
                    (
                        name,
                        _node_line(root, (index, key)),
                        f"{index}.{key}",
                        f"{key!r} is not a field of a policy (expected code, title, text, splits)",
                    )
                )
        code = entry.get("code")
        if code is None or code == "":
            problems.append((name, line, f"{index}.code", "required: add 'code: ...' to it"))
            continue
        code = str(code)
        if code in policies:
            problems.append(
                (
                    name,
                    _node_line(root, (index, "code")),
                    f"{index}.code",
                    f"two policies have the code {code!r}",
                )
            )
        splits = entry.get("splits")
        where = _node_line(root, (index, "splits"))
        if not isinstance(splits, dict) or not splits:
            problems.append(
                (
                    name,
                    where,
                    f"{index}.splits",
                    "required: 'splits:' with one 'role: share' line per role (shares add to 1)",
                )
            )
            continue
        shares: dict[str, Decimal] = {}
        for role, share in splits.items():
            try:
                shares[str(role)] = Decimal(str(share))
                if not shares[str(role)].is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(
                    (
                        name,
                        _node_line(root, (index, "splits", role)),
                        f"{index}.splits.{role}",
                        f"{role} must be a share such as 0.25, not {_shown(share)}",
                    )
                )
        if len(shares) == len(splits) and sum(shares.values()) != 1:
            total = format(sum(shares.values()), "f")
            problems.append(
                (name, where, f"{index}.splits", f"{code}: the shares add to {total}, not 1")
            )
        title, written = str(entry.get("title") or ""), str(entry.get("text") or "")
        policies[code] = Policy(code, title, shares, written)
    if problems:
        raise InputError(problems)
    return policies
