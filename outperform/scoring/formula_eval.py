"""Turns a checked formula tree into closures over a metrics mapping.

Each node becomes a closure, so evaluating a formula for 100,000 subjects is plain function
calls with no dispatch on node types, and no Python ``eval``/``exec``/``compile`` anywhere.
NOT_APPLICABLE propagation is described in :mod:`outperform.scoring.formula`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal, TypeAlias, TypeVar

from .formula_syntax import Boolean, Call, Chain, Compare, Logic, Name, Negate, Node, Not, Number, node_kind
from .na import NOT_APPLICABLE, NotApplicable

__all__ = ["BoolFn", "BoolValue", "Env", "NumFn", "NumValue", "compile_condition", "compile_number"]

Env: TypeAlias = Mapping[str, Decimal | None]
NumValue: TypeAlias = Decimal | NotApplicable
BoolValue: TypeAlias = bool | NotApplicable
NumFn: TypeAlias = Callable[[Env], NumValue]
BoolFn: TypeAlias = Callable[[Env], BoolValue]

_NA: Final = NOT_APPLICABLE
_T = TypeVar("_T")


def _compile_num(node: Node) -> NumFn:  # noqa: C901 - one branch per node type
    if isinstance(node, Number):
        value = node.value
        return lambda env: value
    if isinstance(node, Name):
        key = node.name

        def name(env: Env) -> NumValue:
            v = env.get(key)
            return _NA if v is None else v

        return name
    if isinstance(node, Negate):
        inner = _compile_num(node.operand)

        def negate(env: Env) -> NumValue:
            v = inner(env)
            return v if v is _NA else -v

        return negate
    if isinstance(node, Chain):
        return _compile_chain(node)
    if isinstance(node, Call):
        return _compile_num_call(node)
    raise AssertionError(f"not a number node: {node!r}")  # the parser type-checked


_ARITHMETIC: Final[Mapping[str, Callable[[Decimal, Decimal], Decimal]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
_SHORT_CHAIN: Final = 4


# An operand is compiled to ("const", Decimal), ("name", metric) or ("fn", closure): the
# two-operand closures below read constants and metrics directly instead of through
# another call, which halves the cost of typical formulas like ``done / tasks * 100``.
_Operand: TypeAlias = tuple[Literal["const", "name", "fn"], Any]


def _operand(node: Node) -> _Operand:
    if isinstance(node, Number):
        return ("const", node.value)
    if isinstance(node, Name):
        return ("name", node.name)
    return ("fn", _compile_num(node))


def _as_fn(operand: _Operand) -> NumFn:
    kind, payload = operand
    if kind == "fn":
        fn: NumFn = payload
        return fn
    if kind == "const":
        return lambda env: payload

    def name(env: Env) -> NumValue:
        v = env.get(payload)
        return _NA if v is None else v

    return name


def _compile_chain(node: Chain) -> NumFn:
    # Short chains become nested two-operand closures; long ones loop, so that a 500-term
    # sum does not nest 500 calls deep.
    if len(node.rest) <= _SHORT_CHAIN:
        left = _operand(node.first)
        for op, operand in node.rest:
            left = ("fn", _compile_binary(left, op, _operand(operand)))
        return _as_fn(left)
    first = _compile_num(node.first)
    rest = tuple((_ARITHMETIC[op], op == "/", _compile_num(operand))
                 for op, operand in node.rest)

    def chain(env: Env) -> NumValue:
        acc = first(env)
        if acc is _NA:
            return _NA
        for apply, divides, fn in rest:
            v = fn(env)
            if v is _NA or (divides and v.is_zero()):
                return _NA
            acc = apply(acc, v)
        return acc

    return chain


def _compile_binary(left: _Operand, op: str, right: _Operand) -> NumFn:  # noqa: C901
    apply = _ARITHMETIC[op]
    divides = op == "/"
    left_kind, lv = left
    right_kind, rv = right
    if right_kind == "const":
        if divides and rv.is_zero():
            return lambda env: _NA
        if left_kind == "name":

            def name_const(env: Env) -> NumValue:
                a = env.get(lv)
                return _NA if a is None else apply(a, rv)

            return name_const
        lf = _as_fn(left)

        def fn_const(env: Env) -> NumValue:
            a = lf(env)
            return a if a is _NA else apply(a, rv)

        return fn_const
    if left_kind == "name" and right_kind == "name":

        def name_name(env: Env) -> NumValue:
            a = env.get(lv)
            b = env.get(rv)
            if a is None or b is None or (divides and b.is_zero()):
                return _NA
            return apply(a, b)

        return name_name
    lf, rf = _as_fn(left), _as_fn(right)

    def binary(env: Env) -> NumValue:
        a = lf(env)
        if a is _NA:
            return _NA
        b = rf(env)
        if b is _NA or (divides and b.is_zero()):
            return _NA
        return apply(a, b)

    return binary


def _compile_num_call(node: Call) -> NumFn:
    func = node.func
    if func == "if":
        return _compile_if(node, _compile_num)
    if func == "coalesce":
        return _compile_coalesce(node, _compile_num)
    if func in ("min", "max") and len(node.args) == 2:
        return _compile_minmax2(func, _operand(node.args[0]), _operand(node.args[1]))
    args = tuple(_compile_num(arg) for arg in node.args)
    if func in ("min", "max"):
        pick = min if func == "min" else max

        def minmax(env: Env) -> NumValue:
            values: list[Decimal] = []
            for fn in args:
                v = fn(env)
                if v is _NA:
                    return _NA
                values.append(v)
            return pick(values)

        return minmax
    inner = args[0]
    if func == "abs":

        def absolute(env: Env) -> NumValue:
            v = inner(env)
            return v if v is _NA else abs(v)

        return absolute
    places_node = node.args[1] if len(node.args) == 2 else None
    places = int(places_node.value) if isinstance(places_node, Number) else 0
    quantum = Decimal(1).scaleb(-places)

    def round_(env: Env) -> NumValue:
        v = inner(env)
        return v if v is _NA else v.quantize(quantum, rounding=ROUND_HALF_UP)

    return round_


def _compile_minmax2(func: str, first: _Operand, second: _Operand) -> NumFn:
    # Same result as the builtins: min(a, b) is a unless b < a; max(a, b) is a unless b > a.
    better = operator.lt if func == "min" else operator.gt
    if first[0] == "const":
        a_const: Decimal = first[1]
        bf = _as_fn(second)

        def const_first(env: Env) -> NumValue:
            b = bf(env)
            return b if b is _NA or better(b, a_const) else a_const

        return const_first
    af, bf = _as_fn(first), _as_fn(second)

    def minmax2(env: Env) -> NumValue:
        a = af(env)
        if a is _NA:
            return _NA
        b = bf(env)
        return b if b is _NA or better(b, a) else a

    return minmax2


def _compile_if(
    node: Call, compile_branch: Callable[[Node], Callable[[Env], _T | NotApplicable]]
) -> Callable[[Env], _T | NotApplicable]:
    cond = _compile_bool(node.args[0])
    then, other = compile_branch(node.args[1]), compile_branch(node.args[2])

    def if_(env: Env) -> _T | NotApplicable:
        c = cond(env)
        if c is _NA:
            return _NA
        return then(env) if c else other(env)

    return if_


def _compile_coalesce(
    node: Call, compile_arg: Callable[[Node], Callable[[Env], _T | NotApplicable]]
) -> Callable[[Env], _T | NotApplicable]:
    args = tuple(compile_arg(arg) for arg in node.args)
    last = node.args[-1]
    if len(args) == 2 and isinstance(last, Number | Boolean):
        head = args[0]
        fallback: Any = last.value

        def coalesce2(env: Env) -> _T | NotApplicable:
            v = head(env)
            return fallback if v is _NA else v

        return coalesce2

    def coalesce(env: Env) -> _T | NotApplicable:
        for fn in args:
            v = fn(env)
            if v is not _NA:
                return v
        return _NA

    return coalesce


_COMPARE_FUNCS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _compile_bool(node: Node) -> BoolFn:
    if isinstance(node, Boolean):
        value = node.value
        return lambda env: value
    if isinstance(node, Not):
        inner = _compile_bool(node.operand)

        def not_(env: Env) -> BoolValue:
            v = inner(env)
            return v if v is _NA else not v

        return not_
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, Logic):
        return _compile_logic(node)
    if isinstance(node, Call):
        if node.func == "if":
            return _compile_if(node, _compile_bool)
        return _compile_coalesce(node, _compile_bool)
    raise AssertionError(f"not a condition node: {node!r}")


def _compile_compare(node: Compare) -> BoolFn:
    op = _COMPARE_FUNCS[node.op]
    left: Callable[[Env], object]
    right: Callable[[Env], object]
    if isinstance(node.right, Number) and node_kind(node.left) == "number":
        constant = node.right.value
        if isinstance(node.left, Name):
            key = node.left.name

            def name_const(env: Env) -> BoolValue:
                a = env.get(key)
                return _NA if a is None else op(a, constant)

            return name_const
        lf = _compile_num(node.left)

        def fn_const(env: Env) -> BoolValue:
            a = lf(env)
            return _NA if a is _NA else op(a, constant)

        return fn_const
    if node_kind(node.left) == "number":
        left, right = _compile_num(node.left), _compile_num(node.right)
    else:
        left, right = _compile_bool(node.left), _compile_bool(node.right)

    def compare(env: Env) -> BoolValue:
        a = left(env)
        if a is _NA:
            return _NA
        b = right(env)
        if b is _NA:
            return _NA
        return op(a, b)

    return compare


def _compile_logic(node: Logic) -> BoolFn:
    operands = tuple(_compile_bool(arg) for arg in node.operands)
    # Kleene logic: a deciding operand wins even if another one is NOT_APPLICABLE.
    decisive = node.op == "or"

    def logic(env: Env) -> BoolValue:
        unknown = False
        for fn in operands:
            v = fn(env)
            if v is _NA:
                unknown = True
            elif v is decisive:
                return decisive
        return _NA if unknown else not decisive

    return logic


def compile_number(node: Node) -> NumFn:
    """Closure computing a number-kind node (``Decimal`` or NOT_APPLICABLE)."""
    return _compile_num(node)


def compile_condition(node: Node) -> BoolFn:
    """Closure computing a condition-kind node (``bool`` or NOT_APPLICABLE)."""
    return _compile_bool(node)
