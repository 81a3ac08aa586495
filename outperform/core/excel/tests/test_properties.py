import datetime as dt
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from outperform.core.excel import (
    Column,
    SheetSpec,
    clean_text,
    excel_serial,
    neutralise,
    parse_date,
    parse_money_fen,
    parse_rows,
    read_table,
    write_rows,
)

cell_values = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(" \t\n\r\u3000\u00a0\u200b\ufeff'=+-@ＡＢ１２，。张三abc")),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.none(),
)


@given(cell_values)
@example("'=1")
@example("＇＝1")
@example("''=1")
def test_clean_text_is_idempotent(value: object) -> None:
    once = clean_text(value)
    assert clean_text(once) == once
    multi = clean_text(value, multiline=True)
    assert clean_text(multi, multiline=True) == multi


@given(st.text())
def test_clean_text_output_has_no_edge_or_double_spaces(value: str) -> None:
    out = clean_text(value)
    assert out is None or (out == out.strip() and "  " not in out and "\n" not in out)


@given(st.text())
def test_neutralised_text_reads_back_as_written(value: str) -> None:
    text = clean_text(value)
    if text is not None:
        assert clean_text(neutralise(text)) == text


money = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False)


@given(money)
@example(Decimal("0.10"))
@example(Decimal("1234.56"))
@example(Decimal("-0.01"))
def test_parse_money_fen_is_exact(amount: Decimal) -> None:
    parse = parse_money_fen(allow_negative=True)
    fen = int(amount * 100)
    assert parse(str(amount)) == fen
    assert parse(f"{amount:,}") == fen
    assert parse(amount) == fen
    assert parse(float(amount)) == fen  # up to 14 digits, a float still holds the cents exactly enough
    assert parse("¥" + str(amount).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))) == fen


@given(st.dates(min_value=dt.date(1900, 1, 1)))
@example(dt.date(1900, 2, 28))
@example(dt.date(1900, 3, 1))
@example(dt.date(9999, 12, 31))
def test_parse_date_round_trips_through_serial_numbers(day: dt.date) -> None:
    serial = excel_serial(day)
    parse = parse_date()
    assert parse(serial) == day
    assert parse(float(serial) + 0.5) == day
    assert parse(day.isoformat()) == day
    assert parse(f"{day.year}年{day.month}月{day.day}日") == day


def test_serial_dates_through_a_real_workbook() -> None:
    # Serial numbers as plain numeric cells, as they appear when a date column lost its format.
    days = [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2024, 2, 29), dt.date(2099, 12, 31)]
    spec = SheetSpec("s", [Column("day", "日期", "Day", parse_date())])
    data = write_rows(["日期"], [[excel_serial(d)] for d in days])
    outcome = parse_rows(spec, read_table(data, "a.xlsx"))
    assert [r.values["day"] for r in outcome.rows] == days
