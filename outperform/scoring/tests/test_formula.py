import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import NOT_APPLICABLE, FormulaError, parse
from outperform.scoring.formula import MAX_DEPTH, MAX_LENGTH, MAX_LITERAL_DIGITS
from outperform.scoring.tests.factories import PROPERTY

D = Decimal


# --------------------------------------------------------------------------- parse errors


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("(1 + 2", "missing ')' to close '(' opened at column 1", 7),
        ("1 + 2)", "unexpected ')'", 6),
        ("1 + * 2", "unexpected '*'", 5),
        ("2 ** 3", "unexpected '*'", 4),  # there is no power operator
        ("a +", "unexpected end of formula", 4),
        (")", "unexpected ')'", 1),
        ("1 2", "unexpected '2'", 3),
        ("foo(1)", "unknown function 'foo'", 1),
        ("a < b < c", "comparisons cannot be chained (use 'and')", 7),
        ("x = 1", "unexpected '=' (use '==' to compare)", 3),
        ("1e5", "unexpected 'e' after a number", 2),
        ("5.", "a decimal point must be followed by digits", 3),
        ("a $ b", "unexpected character '$'", 3),
        ("   ", "formula is empty", 1),
        ("min()", "min() takes at least 1 argument", 1),
        ("abs(1, 2)", "abs() takes exactly 1 argument", 1),
        ("if(a > 1, 2)", "if() takes exactly 3 arguments: if(condition, then, else)", 1),
        ("round(x, 1.5)", "round() places must be a whole number from 0 to 10", 10),
        ("round(x, 11)", "round() places must be a whole number from 0 to 10", 10),
        ("round(x, -1)", "round() places must be a whole number from 0 to 10", 10),
        ("coalesce(a)", "coalesce() takes at least 2 arguments", 1),
        ("max + 1", "'max' is a function: write max(...)", 1),
        ("a > 1 and", "unexpected end of formula", 10),
        ("not", "unexpected end of formula", 4),
    ],
)
def test_syntax_errors_point_at_the_column(text: str, message: str, column: int) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.message == message
    assert info.value.position == column
    assert str(info.value) == f"{message} at column {column}"


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("1 and true", "'and' needs a condition, found a number", 1),
        ("a or b > 1", "'or' needs a condition, found a number", 1),
        ("not 5", "'not' needs a condition, found a number", 5),
        ("if(1, 2, 3)", "if() needs a condition, found a number", 4),
        ("if(a > 1, 2, a > 2)", "if() branches must both be numbers or both be conditions", 14),
        ("(a > 1) + 2", "'+' needs a number, found a condition", 2),
        ("-(a > 1)", "unary '-' needs a number, found a condition", 3),
        ("min(1, a > 2)", "min() needs a number, found a condition", 8),
        ("a == (b > 1)", "'==' compares a number with a condition", 3),
        ("true < false", "'<' needs a number, found a condition", 1),
    ],
)
def test_type_errors_are_found_when_parsing(text: str, message: str, column: int) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text, expect="any")
    assert (info.value.message, info.value.position, info.value.code) == (message, column, "type")


def test_result_kind_is_checked() -> None:
    with pytest.raises(FormulaError, match="formula must produce a number, not a condition at column 1"):
        parse("a > 1")
    with pytest.raises(FormulaError, match="must produce a condition, not a number"):
        parse("a + 1", expect="condition")
    assert parse("a > 1", expect="condition").kind == "condition"


def test_unknown_metrics_are_refused_when_names_are_given() -> None:
    with pytest.raises(FormulaError) as info:
        parse("on_time / due_tasks * 100", names={"on_time", "due"})
    assert (info.value.message, info.value.position, info.value.code) == (
        "unknown metric 'due_tasks'", 11, "unknown_metric")
    assert parse("on_time / due * 100", names={"on_time", "due"}).names == {"on_time", "due"}


def test_names_may_be_dotted_or_chinese() -> None:
    formula = parse("tasks.on_time / tasks.due * 100 + 按时率")
    assert formula.names == {"tasks.on_time", "tasks.due", "按时率"}
    assert formula.evaluate({"tasks.on_time": D(3), "tasks.due": D(4), "按时率": D(1)}) == D(76)


def test_length_limit() -> None:
    text = "1+" * 1000 + "1"  # 2,001 characters
    assert len(text) == MAX_LENGTH + 1
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.position == MAX_LENGTH + 1
    assert parse("1+" * 999 + "1").evaluate({}) == D(1000)


def test_nesting_limit() -> None:
    ok = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    assert parse(ok).evaluate({}) == D(1)
    with pytest.raises(FormulaError) as info:
        parse("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    assert info.value.message == f"formula nests deeper than {MAX_DEPTH} levels"
    assert info.value.position == MAX_DEPTH + 1  # the 51st '(' is at column 51
    with pytest.raises(FormulaError, match="nests deeper"):
        parse("-" * (MAX_DEPTH + 1) + "1")
    with pytest.raises(FormulaError, match="nests deeper"):
        parse("not " * (MAX_DEPTH + 1) + "true", expect="condition")


def test_literal_digit_limit() -> None:
    assert parse("9" * MAX_LITERAL_DIGITS).evaluate({}) == D("9" * MAX_LITERAL_DIGITS)
    assert parse("1234567890.1234567890").evaluate({}) == D("1234567890.1234567890")
    with pytest.raises(FormulaError) as info:
        parse("2 * " + "9" * (MAX_LITERAL_DIGITS + 1))
    assert (info.value.message, info.value.position) == ("number has more than 20 digits", 5)


# --------------------------------------------------------------------------- evaluation


def test_on_time_rate_with_guard() -> None:
    formula = parse("if(due == 0, 100, on_time / due * 100)")
    assert formula.evaluate({"due": D(0), "on_time": D(0)}) == D(100)
    assert formula.evaluate({"due": D(8), "on_time": D(6)}) == D(75)  # 6 / 8 * 100
    assert formula.evaluate({"due": D(8)}) is NOT_APPLICABLE  # on_time missing
    assert formula.evaluate({"due": D(8), "on_time": None}) is NOT_APPLICABLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),  # left to right
        ("2 / 4 * 10", D(5)),
        ("-a + 10", D(7)),
        ("- - a", D(3)),
        ("+a", D(3)),
        ("min(a, b, 2)", D(2)),
        ("max(a, 5)", D(5)),
        ("min(100, a * 40)", D(100)),
        ("abs(a - 10)", D(7)),
        ("round(2.345, 2)", D("2.35")),  # half up
        ("round(2.5)", D(3)),
        ("round(-2.5)", D(-3)),
        ("round(1 / 3, 4)", D("0.3333")),
        ("coalesce(missing, 7)", D(7)),
        ("coalesce(missing, a, 7)", D(3)),
        ("if(a > b, a, b)", D(4)),
        ("if(a >= 3 and b <= 4, 1, 0)", D(1)),
        ("if(not (a == 3), 1, 0)", D(0)),
        ("if(a != 3 or true, 1, 0)", D(1)),
        ("a / 2", D("1.5")),
        ("1 / 3", D("0.3333333333333333333333333333")),  # 28 significant digits
        ("0 - 0", D(0)),
    ],
)
def test_evaluation(text: str, expected: Decimal) -> None:
    assert parse(text).evaluate({"a": D(3), "b": D(4), "missing": None}) == expected


@pytest.mark.parametrize(
    "text",
    ["a / 0", "a / (b - b)", "a / zero", "a * missing", "min(a, missing)", "round(missing, 1)",
     "if(missing > 1, 1, 2)", "-missing", "abs(missing)", "coalesce(missing, missing2)",
     "a * a * a * a"],
)
def test_not_applicable_propagates(text: str) -> None:
    big = D("1e300000")  # a**4 overflows the context: not computable, not an error
    values = {"a": big if text == "a * a * a * a" else D(3), "b": D(4), "zero": D(0), "missing": None}
    assert parse(text).evaluate(values) is NOT_APPLICABLE


def test_if_evaluates_only_the_chosen_branch() -> None:
    formula = parse("if(tasks == 0, 100, done / tasks * 100)")
    assert formula.evaluate({"tasks": D(0)}) == D(100)  # the division by zero is never reached


def test_and_or_use_three_valued_logic() -> None:
    # A side that decides wins over NOT_APPLICABLE on the other side; otherwise NA spreads.
    cases = [
        ("x > 0 or y / 0 > 1", {"x": D(1)}, True),
        ("x > 0 or y / 0 > 1", {"x": D(-1)}, NOT_APPLICABLE),
        ("y / 0 > 1 or x > 0", {"x": D(1)}, True),
        ("x > 0 and missing > 1", {"x": D(-1)}, False),
        ("missing > 1 and x > 0", {"x": D(-1)}, False),
        ("missing > 1 and x > 0", {"x": D(1)}, NOT_APPLICABLE),
        ("not missing > 1", {}, NOT_APPLICABLE),
        ("x > 0 and true and not false", {"x": D(1)}, True),
    ]
    for text, values, expected in cases:
        assert parse(text, expect="condition").evaluate(values) is expected, text


def test_results_have_no_negative_zero() -> None:
    result = parse("-a").evaluate({"a": D(0)})
    assert result == 0
    assert str(result) == "0"


# --------------------------------------------------------------------------- properties

FORMULA_ALPHABET = "ab019.+-*/(), <>=!_ "
WORDS = st.sampled_from(["and", "or", "not", "if(", "min(", "max(", "round(", "abs(", "coalesce(",
                         "true", "false", "a", "b", "0", "1.5", "==", "<=", ")", ",", "/", "*", "-"])
ARBITRARY = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=FORMULA_ALPHABET, max_size=80),
    st.lists(WORDS, max_size=30).map(" ".join),
)


@PROPERTY
@given(ARBITRARY)
def test_parser_raises_nothing_but_formula_error(text: str) -> None:
    try:
        formula = parse(text, expect="any")
    except FormulaError as exc:
        position = exc.position
        assert 1 <= position <= len(text) + 1  # noqa: PT017 - checking the error raised is the point
        return
    # What parses evaluates without raising, to a number, a condition or NOT_APPLICABLE.
    for values in ({}, {"a": D(0), "b": D(0)}, {"a": D("1.5"), "b": D(-7)}):
        result = formula.evaluate(values)
        assert isinstance(result, Decimal | bool) or result is NOT_APPLICABLE


def test_evaluation_of_the_largest_formula_is_bounded() -> None:
    # 2,000 characters of multiplications of 20-digit literals: the worst growth the limits allow.
    factor = "9" * MAX_LITERAL_DIGITS
    text = "*".join([factor] * (MAX_LENGTH // (MAX_LITERAL_DIGITS + 1)))
    formula = parse(text)
    started = time.perf_counter()
    result = formula.evaluate({})
    assert time.perf_counter() - started < 0.5
    assert isinstance(result, Decimal)
    assert result.adjusted() < 2000  # 28 significant digits, exponent below 2,000
