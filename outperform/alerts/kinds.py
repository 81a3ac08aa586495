"""The registry of alert rule kinds (预警规则类型).

A kind is a key, a label, the parameters it takes and an evaluator. Other apps add their own with

    from outperform.alerts.kinds import Param, register_kind
    register_kind("sla_breach", _("SLA 违约"), evaluate_sla, (Param("hours", _("提前小时数"), "int", default=4),),
                  available=lambda: True)

(best from their AppConfig.ready). An evaluator takes a `RuleContext` and returns `Candidate`s:
the conditions that hold now. It must read in bulk — a constant number of queries whatever the
number of people — because it runs for every rule on every schedule tick. The evaluation service
(services.alerts_evaluate) deduplicates candidates against open alerts, applies the rule's
department/vendor filter, resolves owners and notifies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:  # a development-only package
    from django_stubs_ext import StrOrPromise

PARAM_TYPES = ("int", "decimal", "choice", "text", "bool")


@dataclass(frozen=True)
class Param:
    name: str
    label: StrOrPromise
    type: str = "int"  # one of PARAM_TYPES
    default: Any = None
    required: bool = False
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    choices: Sequence[tuple[str, StrOrPromise]] = ()
    help: StrOrPromise = ""


@dataclass(frozen=True)
class Candidate:
    """A condition that holds now. `dedup_key` names it (the same condition re-evaluated gives the
    same key); department/vendor/subject_user place it for scoping; supervisor is whom the rule's
    "subject's supervisor" owner means."""

    dedup_key: str
    title: str
    message: str
    subject: str = ""
    url: str = ""
    department_id: int | None = None
    vendor_id: int | None = None
    subject_user_id: int | None = None
    supervisor_id: int | None = None
    escalate: bool = False  # e.g. a deadline missed rather than approaching: one severity level up
    # Whom the record itself names as responsible (an improvement plan's owner): the owner under
    # the rule's "record owner" mode.
    owner_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleContext:
    today: dt.date
    params: Mapping[str, Any]
    rule_id: int | None = None


Evaluator = Callable[[RuleContext], list[Candidate]]


@dataclass(frozen=True)
class Kind:
    key: str
    label: StrOrPromise
    evaluator: Evaluator
    params_schema: tuple[Param, ...]
    description: StrOrPromise = ""
    available: Callable[[], bool] = lambda: True
    # Shown when `available()` is False: which app must be installed for the data.
    source: StrOrPromise = ""


_REGISTRY: dict[str, Kind] = {}


def register_kind(
    key: str,
    label: StrOrPromise,
    evaluator: Evaluator,
    params_schema: Sequence[Param] = (),
    *,
    description: StrOrPromise = "",
    available: Callable[[], bool] | None = None,
    source: StrOrPromise = "",
) -> Kind:
    """Add (or replace, so an app can take over a placeholder kind) a rule kind."""
    for p in params_schema:
        if p.type not in PARAM_TYPES:
            raise ValueError(f"{key}.{p.name}: unknown parameter type {p.type}")
    kind = Kind(key=key, label=label, evaluator=evaluator, params_schema=tuple(params_schema),
                description=description, available=available or (lambda: True), source=source)
    _REGISTRY[key] = kind
    return kind


def get_kind(key: str) -> Kind | None:
    return _REGISTRY.get(key)


def all_kinds() -> list[Kind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.key)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in all_kinds()]


class SourceMissingError(RuntimeError):
    """An evaluator's data source (another app's models) is not installed."""


class ParamsError(ValueError):
    """Bad parameters: {parameter name: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _coerce(p: Param, raw: Any) -> Any:
    if p.type == "int":
        if isinstance(raw, bool):
            raise ValueError(_("须为整数 / must be a whole number"))
        try:
            value: Any = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValueError(_("须为整数 / must be a whole number")) from None
    elif p.type == "decimal":
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(_("须为数字 / must be a number")) from None
        if not value.is_finite():
            raise ValueError(_("须为数字 / must be a number"))
    elif p.type == "bool":
        if isinstance(raw, bool):
            value = raw
        elif str(raw).strip().lower() in ("1", "true", "yes", "是"):
            value = True
        elif str(raw).strip().lower() in ("0", "false", "no", "否", ""):
            value = False
        else:
            raise ValueError(_("须为 true 或 false / must be true or false"))
    elif p.type == "choice":
        value = str(raw).strip()
        allowed = [c for c, _label in p.choices]
        if value not in allowed:
            raise ValueError(_("须为以下之一 / must be one of: %(v)s") % {"v": ", ".join(allowed)})
    else:
        value = str(raw).strip()
        if len(value) > 200:
            raise ValueError(_("不能超过 200 个字符 / at most 200 characters"))
    if p.min is not None and value < p.min:
        raise ValueError(_("不能小于 %(m)s / must be at least %(m)s") % {"m": p.min})
    if p.max is not None and value > p.max:
        raise ValueError(_("不能大于 %(m)s / must be at most %(m)s") % {"m": p.max})
    return value


def validate_params(kind_key: str, raw: Any) -> dict[str, Any]:
    """The parameters of a rule, typed and with defaults; ParamsError names each bad one."""
    kind = get_kind(kind_key)
    if kind is None:
        raise ParamsError({"kind": _("未知的规则类型 / unknown rule kind: %(k)s") % {"k": kind_key}})
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, Mapping):
        raise ParamsError({"params": _("须为 JSON 对象 / must be a JSON object")})
    known = {p.name for p in kind.params_schema}
    errors: dict[str, str] = {}
    for name in raw:
        if name not in known:
            errors[str(name)] = _("未知参数，可用：%(v)s / unknown parameter, expected one of: %(v)s") % {
                "v": ", ".join(sorted(known)) or "-"}
    cleaned: dict[str, Any] = {}
    for p in kind.params_schema:
        value = raw.get(p.name)
        if value is None or (isinstance(value, str) and not value.strip() and p.type != "text"):
            if p.required:
                errors[p.name] = _("必填 / required")
                continue
            cleaned[p.name] = p.default
            continue
        try:
            cleaned[p.name] = _coerce(p, value)
        except ValueError as exc:
            errors[p.name] = str(exc)
    if errors:
        raise ParamsError(errors)
    return cleaned


def params_json(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned parameters as stored in the rule's JSON (decimals as strings, exact)."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in cleaned.items()}
