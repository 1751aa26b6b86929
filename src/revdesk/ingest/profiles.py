"""Column mapping profiles: how another system's export maps onto one of our kinds.

A profile is a small YAML file (see src/revdesk/ingest/profiles/ for examples)::

    name: sap-customer-master
    kind: customers
    columns:            # our column: the source file's column
      code: KUNNR
      name: NAME1
    date_formats: ["%d.%m.%Y"]
    decimal_separator: ","
    thousands_separator: "."
    values:             # our column: {source value: our value}
      segment: {"01": enterprise}
    defaults:           # our column: value used when the source has no such column
      currency: EUR
    delimiter: ";"
    encoding: cp1252
    sheet: Sheet1
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PROFILES_DIR = Path(__file__).parent / "profiles"


class ProfileError(ValueError):
    pass


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str | None = None
    description: str = ""
    columns: dict[str, str] = Field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    decimal_separator: str = "."
    thousands_separator: str | None = None
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None

    @field_validator("decimal_separator")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value not in {".", ","}:
            raise ValueError("decimal_separator must be '.' or ','")
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value):
        if isinstance(value, dict):
            return {
                str(column): {str(k): str(v) for k, v in (mapping or {}).items()}
                for column, mapping in value.items()
            }
        return value

    @field_validator("defaults", mode="before")
    @classmethod
    def _defaults_as_text(cls, value):
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value


def profile_load(path: str | Path) -> Profile:
    """Read a profile file, or a shipped profile by name (e.g. `sap-customer-master`)."""
    candidate = Path(path)
    if not candidate.exists() and not candidate.suffix:
        shipped = PROFILES_DIR / f"{candidate.name}.yaml"
        if shipped.exists():
            candidate = shipped
    if not candidate.exists():
        shipped = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
        raise ProfileError(
            f"Profile {path} not found. Give a path to a YAML file, or one of the shipped "
            f"profiles: {shipped}."
        )
    try:
        data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ProfileError(f"Profile {candidate.name} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ProfileError(f"Profile {candidate.name} must be a YAML mapping (name:, columns:).")
    data.setdefault("name", candidate.stem)
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ProfileError(f"Profile {candidate.name} is not valid: {problems}") from error


def shipped_profiles() -> list[Path]:
    return sorted(PROFILES_DIR.glob("*.yaml"))
