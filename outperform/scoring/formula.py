"""A small, safe expression language over named metrics.

Formulas are written by administrators (e.g. ``if(due == 0, 100, on_time / due * 100)``), so
they are parsed by hand and evaluated by closures built from the syntax tree: no Python
``eval``/``exec``/``compile`` is ever involved, and nothing but arithmetic on Decimals and
booleans can happen.

Grammar (precedence from loosest to tightest)::

    formula    := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := additive [("<" | "<=" | ">" | ">=" | "==" | "!=") additive]
    additive   := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | "true" | "false" | NAME | NAME "(" [formula ("," formula)*] ")"
                | "(" formula ")"
    NUMBER     := digits ["." digits]            (at most 20 digits, no exponent)
    NAME       := letter_or_underscore (letter_or_underscore | digit)* ("." NAME)*

Functions: ``min(a, ...)``, ``max(a, ...)``, ``abs(x)``, ``round(x[, places])`` (half up,
``places`` a whole number 0-10 written as a literal), ``if(condition, then, else)`` (only the
chosen branch is evaluated) and ``coalesce(a, b, ...)`` (the first operand that is not
NOT_APPLICABLE).

Types are checked when parsing: arithmetic and ``<``-style comparisons take numbers,
``and``/``or``/``not`` and the condition of ``if`` take conditions. Comparisons do not chain.

Evaluation: a metric that is missing or ``None``, a division by zero, or an arithmetic
overflow yields :data:`NOT_APPLICABLE`, which propagates through every operator except
``if`` (lazy), ``coalesce``, and ``and``/``or`` when the other side already decides
(``false and NA`` is false, ``true or NA`` is true).

Limits keep evaluation bounded: 2,000 characters, 50 levels of nesting (parentheses,
calls, unary operators), 20 digits per literal and no power operator, so a formula does at
most a few thousand 28-digit Decimal operations.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Literal

from .errors import FormulaError
from .formula_eval import BoolValue, Env, NumValue, compile_condition, compile_number
from .formula_syntax import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LITERAL_DIGITS,
    Kind,
    Node,
    describe_kind,
    node_kind,
    parse_tree,
)
from .na import NOT_APPLICABLE, NotApplicable
from .rounding import SCORING_CONTEXT, ZERO

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LITERAL_DIGITS",
    "Env",
    "Formula",
    "FormulaError",
    "parse",
]


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed, type-checked formula. Build one with :func:`parse`.

    ``names`` are the metric names it reads; ``kind`` is ``"number"`` or ``"condition"``.
    """

    text: str
    root: Node = field(repr=False, compare=False)
    kind: Kind
    names: frozenset[str]
    _fn: Callable[[Env], NumValue | BoolValue] = field(repr=False, compare=False)

    def evaluate(self, values: Env) -> Decimal | bool | NotApplicable:
        """Evaluate over ``values`` (metric name -> Decimal, ``None`` = missing)."""
        with localcontext(SCORING_CONTEXT):
            return self.evaluate_in_context(values)

    def evaluate_in_context(self, values: Env) -> Decimal | bool | NotApplicable:
        """Like :meth:`evaluate` but in the current decimal context.

        For the engine, which already runs inside :func:`~.rounding.scoring_context` and
        evaluates formulas once per subject.
        """
        try:
            result = self._fn(values)
        except ArithmeticError:
            # Overflow, or round() of a value too large for 28 digits: not computable.
            return NOT_APPLICABLE
        if isinstance(result, Decimal) and result.is_zero():
            return ZERO  # no "-0" in results
        return result


def parse(
    text: str,
    *,
    names: Collection[str] | None = None,
    expect: Literal["number", "condition", "any"] = "number",
) -> Formula:
    """Parse and type-check ``text``.

    ``names``: if given, the only metric names the formula may use. ``expect``: what the
    formula must produce. Raises :class:`FormulaError` (and nothing else) for any text.
    """
    root, metric_names = parse_tree(text, names)
    kind = node_kind(root)
    if expect != "any" and kind != expect:
        raise FormulaError(
            f"formula must produce {describe_kind(expect)}, not {describe_kind(kind)}",
            root.pos,
            "type",
        )
    fn: Callable[[Env], NumValue | BoolValue] = (
        compile_number(root) if kind == "number" else compile_condition(root)
    )
    return Formula(text, root, kind, metric_names, fn)
