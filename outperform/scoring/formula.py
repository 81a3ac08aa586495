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

import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Final, Literal, TypeAlias, TypeVar

from .errors import FormulaError
from .na import NOT_APPLICABLE, NotApplicable
from .rounding import SCORING_CONTEXT, ZERO

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LITERAL_DIGITS",
    "Formula",
    "FormulaError",
    "parse",
]

MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 50
MAX_LITERAL_DIGITS: Final = 20
MAX_ROUND_PLACES: Final = 10

KEYWORDS: Final = frozenset({"and", "or", "not", "true", "false"})
FUNCTIONS: Final = frozenset({"min", "max", "abs", "round", "if", "coalesce"})
_COMPARISONS: Final = frozenset({"<", "<=", ">", ">=", "==", "!="})
_SINGLE_OPS: Final = frozenset("+-*/(),<>")
_ARTICLE: Final[Mapping[str, str]] = {"number": "a number", "condition": "a condition"}

Env: TypeAlias = Mapping[str, Decimal | None]
Kind: TypeAlias = Literal["number", "condition"]
NumValue: TypeAlias = Decimal | NotApplicable
BoolValue: TypeAlias = bool | NotApplicable
NumFn: TypeAlias = Callable[[Env], NumValue]
BoolFn: TypeAlias = Callable[[Env], BoolValue]

_NA: Final = NOT_APPLICABLE
_T = TypeVar("_T")


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["number", "name", "op", "end"]
    text: str
    pos: int  # 1-based column


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _is_digit(ch: str) -> bool:
    # str.isdigit() accepts superscripts and other scripts' digits, which Decimal would not.
    return "0" <= ch <= "9"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            while i < n and _is_digit(text[i]):
                i += 1
            if i < n and text[i] == ".":
                i += 1
                if i >= n or not _is_digit(text[i]):
                    raise FormulaError("a decimal point must be followed by digits", i + 1, "number")
                while i < n and _is_digit(text[i]):
                    i += 1
            literal = text[start:i]
            if sum(c != "." for c in literal) > MAX_LITERAL_DIGITS:
                raise FormulaError(
                    f"number has more than {MAX_LITERAL_DIGITS} digits", start + 1, "number"
                )
            if i < n and (_is_name_start(text[i]) or text[i] == "."):
                raise FormulaError(f"unexpected {text[i]!r} after a number", i + 1, "number")
            tokens.append(_Token("number", literal, start + 1))
        elif _is_name_start(ch):
            while True:
                while i < n and (_is_name_start(text[i]) or _is_digit(text[i])):
                    i += 1
                # Dotted names (``tasks.on_time``) are one metric name.
                if i + 1 < n and text[i] == "." and _is_name_start(text[i + 1]):
                    i += 1
                    continue
                break
            tokens.append(_Token("name", text[start:i], start + 1))
        elif text.startswith(("<=", ">=", "==", "!="), i):
            tokens.append(_Token("op", text[i : i + 2], start + 1))
            i += 2
        elif ch in _SINGLE_OPS:
            tokens.append(_Token("op", ch, start + 1))
            i += 1
        elif ch == "=":
            raise FormulaError("unexpected '=' (use '==' to compare)", start + 1, "unexpected")
        else:
            raise FormulaError(f"unexpected character {ch!r}", start + 1, "unexpected")
    tokens.append(_Token("end", "", n + 1))
    return tokens


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    pos: int


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool
    pos: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Chain:
    """``a + b - c`` or ``a * b / c``: flat, so long sums do not make a deep tree."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Logic:
    op: Literal["and", "or"]
    operands: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]
    kind: Kind
    pos: int


Node: TypeAlias = Number | Boolean | Name | Negate | Not | Chain | Compare | Logic | Call


def node_kind(node: Node) -> Kind:
    """Whether ``node`` produces a number or a condition (known statically)."""
    if isinstance(node, Number | Name | Negate | Chain):
        return "number"
    if isinstance(node, Call):
        return node.kind
    return "condition"


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[_Token], allowed: Collection[str] | None) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.allowed = allowed
        self.names: set[str] = set()

    # -- helpers
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "op" and tok.text in ops

    def at_word(self, word: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "name" and tok.text == word

    def unexpected(self, tok: _Token) -> FormulaError:
        if tok.kind == "end":
            return FormulaError("unexpected end of formula", tok.pos, "unexpected_end")
        return FormulaError(f"unexpected {tok.text!r}", tok.pos, "unexpected")

    def expect_op(self, op: str, opened: _Token | None = None) -> _Token:
        tok = self.peek()
        if tok.kind == "op" and tok.text == op:
            return self.advance()
        if opened is not None and tok.kind == "end":
            raise FormulaError(
                f"missing {op!r} to close {opened.text!r} opened at column {opened.pos}",
                tok.pos,
                "unclosed",
            )
        found = "end of formula" if tok.kind == "end" else repr(tok.text)
        raise FormulaError(f"expected {op!r} but found {found}", tok.pos, "unexpected")

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels", pos, "too_deep")

    def leave(self) -> None:
        self.depth -= 1

    @staticmethod
    def need(node: Node, kind: Kind, context: str) -> Node:
        if node_kind(node) != kind:
            raise FormulaError(
                f"{context} needs {_ARTICLE[kind]}, found {_ARTICLE[node_kind(node)]}",
                node.pos,
                "type",
            )
        return node

    # -- grammar
    def formula(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            raise self.unexpected(tok)
        return node

    def or_expr(self) -> Node:
        return self.logic("or", self.and_expr)

    def and_expr(self) -> Node:
        return self.logic("and", self.not_expr)

    def logic(self, word: Literal["and", "or"], operand: Callable[[], Node]) -> Node:
        first = operand()
        if not self.at_word(word):
            return first
        items = [self.need(first, "condition", f"'{word}'")]
        while self.at_word(word):
            self.advance()
            items.append(self.need(operand(), "condition", f"'{word}'"))
        return Logic(word, tuple(items), first.pos)

    def not_expr(self) -> Node:
        if self.at_word("not"):
            tok = self.advance()
            self.enter(tok.pos)
            operand = self.need(self.not_expr(), "condition", "'not'")
            self.leave()
            return Not(operand, tok.pos)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        tok = self.peek()
        if not (tok.kind == "op" and tok.text in _COMPARISONS):
            return left
        self.advance()
        right = self.additive()
        if tok.text in ("==", "!="):
            if node_kind(left) != node_kind(right):
                raise FormulaError(
                    f"'{tok.text}' compares a number with a condition", tok.pos, "type"
                )
        else:
            self.need(left, "number", f"'{tok.text}'")
            self.need(right, "number", f"'{tok.text}'")
        nxt = self.peek()
        if nxt.kind == "op" and nxt.text in _COMPARISONS:
            raise FormulaError("comparisons cannot be chained (use 'and')", nxt.pos, "chained")
        return Compare(tok.text, left, right, left.pos)

    def additive(self) -> Node:
        return self.chain(("+", "-"), self.term)

    def term(self) -> Node:
        return self.chain(("*", "/"), self.unary)

    def chain(self, ops: tuple[str, str], operand: Callable[[], Node]) -> Node:
        first = operand()
        if not self.at_op(*ops):
            return first
        self.need(first, "number", f"'{self.peek().text}'")
        rest: list[tuple[str, Node]] = []
        while self.at_op(*ops):
            op = self.advance().text
            rest.append((op, self.need(operand(), "number", f"'{op}'")))
        return Chain(first, tuple(rest), first.pos)

    def unary(self) -> Node:
        if self.at_op("-", "+"):
            tok = self.advance()
            self.enter(tok.pos)
            operand = self.need(self.unary(), "number", f"unary '{tok.text}'")
            self.leave()
            return operand if tok.text == "+" else Negate(operand, tok.pos)
        return self.primary()

    def primary(self) -> Node:
        tok = self.advance()
        if tok.kind == "number":
            return Number(Decimal(tok.text), tok.pos)
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok.pos)
            inner = self.or_expr()
            self.expect_op(")", tok)
            self.leave()
            return inner
        if tok.kind != "name":
            raise self.unexpected(tok)
        if tok.text in ("true", "false"):
            return Boolean(tok.text == "true", tok.pos)
        if tok.text in KEYWORDS:
            raise FormulaError(f"unexpected {tok.text!r}", tok.pos, "unexpected")
        if self.at_op("("):
            return self.call(tok)
        if tok.text in FUNCTIONS:
            raise FormulaError(
                f"{tok.text!r} is a function: write {tok.text}(...)", tok.pos, "reserved"
            )
        if self.allowed is not None and tok.text not in self.allowed:
            raise FormulaError(f"unknown metric {tok.text!r}", tok.pos, "unknown_metric")
        self.names.add(tok.text)
        return Name(tok.text, tok.pos)

    def call(self, name: _Token) -> Node:
        if name.text not in FUNCTIONS:
            raise FormulaError(f"unknown function {name.text!r}", name.pos, "unknown_function")
        opened = self.advance()
        self.enter(opened.pos)
        args: list[Node] = []
        if not self.at_op(")"):
            args.append(self.or_expr())
            while self.at_op(","):
                self.advance()
                args.append(self.or_expr())
        self.expect_op(")", opened)
        self.leave()
        return _check_call(name, tuple(args))


def _arity_error(name: _Token, expected: str) -> FormulaError:
    return FormulaError(f"{name.text}() takes {expected}", name.pos, "arity")


def _check_call(name: _Token, args: tuple[Node, ...]) -> Call:
    func, pos = name.text, name.pos
    need = _Parser.need
    if func in ("min", "max"):
        if not args:
            raise _arity_error(name, "at least 1 argument")
        for arg in args:
            need(arg, "number", f"{func}()")
        return Call(func, args, "number", pos)
    if func == "abs":
        if len(args) != 1:
            raise _arity_error(name, "exactly 1 argument")
        need(args[0], "number", "abs()")
        return Call(func, args, "number", pos)
    if func == "round":
        if len(args) not in (1, 2):
            raise _arity_error(name, "1 or 2 arguments")
        need(args[0], "number", "round()")
        if len(args) == 2:
            places = args[1]
            if not (
                isinstance(places, Number)
                and places.value == places.value.to_integral_value()
                and 0 <= places.value <= MAX_ROUND_PLACES
            ):
                raise FormulaError(
                    f"round() places must be a whole number from 0 to {MAX_ROUND_PLACES}",
                    places.pos,
                    "round_places",
                )
        return Call(func, args, "number", pos)
    if func == "if":
        if len(args) != 3:
            raise _arity_error(name, "exactly 3 arguments: if(condition, then, else)")
        need(args[0], "condition", "if()")
        kind = node_kind(args[1])
        if node_kind(args[2]) != kind:
            raise FormulaError(
                "if() branches must both be numbers or both be conditions", args[2].pos, "type"
            )
        return Call(func, args, kind, pos)
    # coalesce
    if len(args) < 2:
        raise _arity_error(name, "at least 2 arguments")
    kind = node_kind(args[0])
    for arg in args[1:]:
        if node_kind(arg) != kind:
            raise FormulaError(
                "coalesce() arguments must all be numbers or all be conditions", arg.pos, "type"
            )
    return Call(func, args, kind, pos)


# --------------------------------------------------------------------------- compiler
# Each node becomes a closure; evaluation is then plain function calls with no dispatch
# on node types, which matters when one formula is evaluated for 100,000 subjects.


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


_COMPARE_FUNCS: Final[Mapping[str, Callable[[object, object], bool]]] = {
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


# --------------------------------------------------------------------------- public API


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
            return _NA
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
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH + 1, "too_long"
        )
    if not text.strip():
        raise FormulaError("formula is empty", 1, "empty")
    parser = _Parser(_tokenize(text), names)
    root = parser.formula()
    kind = node_kind(root)
    if expect != "any" and kind != expect:
        raise FormulaError(
            f"formula must produce {_ARTICLE[expect]}, not {_ARTICLE[kind]}",
            root.pos,
            "type",
        )
    fn: Callable[[Env], NumValue | BoolValue] = (
        _compile_num(root) if kind == "number" else _compile_bool(root)
    )
    return Formula(text, root, kind, frozenset(parser.names), fn)
