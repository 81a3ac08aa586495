"""Tokenizer, syntax tree and recursive-descent parser of the formula language.

The grammar, functions and limits are described in :mod:`outperform.scoring.formula`; this
module turns text into a type-checked tree of small frozen dataclasses, or raises
:class:`~outperform.scoring.errors.FormulaError` with the column of the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal, TypeAlias

from .errors import FormulaError

__all__ = [
    "FUNCTIONS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LITERAL_DIGITS",
    "MAX_ROUND_PLACES",
    "Boolean",
    "Call",
    "Chain",
    "Compare",
    "Kind",
    "Logic",
    "Name",
    "Negate",
    "Node",
    "Not",
    "Number",
    "describe_kind",
    "node_kind",
    "parse_tree",
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

Kind: TypeAlias = Literal["number", "condition"]


def describe_kind(kind: str) -> str:
    """"a number" / "a condition", for messages."""
    return _ARTICLE[kind]


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


def parse_tree(text: str, allowed: Collection[str] | None) -> tuple[Node, frozenset[str]]:
    """The checked syntax tree of ``text`` and the metric names it reads."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH + 1, "too_long"
        )
    if not text.strip():
        raise FormulaError("formula is empty", 1, "empty")
    parser = _Parser(_tokenize(text), allowed)
    return parser.formula(), frozenset(parser.names)
