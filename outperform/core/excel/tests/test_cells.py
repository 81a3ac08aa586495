import datetime as dt
from decimal import Decimal

import pytest

from outperform.core.excel import (
    CellError,
    clean_text,
    date_from_serial,
    excel_serial,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money_fen,
    parse_text,
)


class TestCleanText:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (None, None),
            ("", None),
            ("   ", None),
            ("\u3000\u00a0\u200b", None),
            ("Ｆ０１２３", "F0123"),
            ("张\u3000三", "张 三"),
            ("  王五  ", "王五"),
            ("a \t\n  b", "a b"),
            ("\ufeff工号", "工号"),
            ("李\u200b四", "李四"),
            ("１３８００１３８０００", "13800138000"),
            ("（外包）", "(外包)"),
            (1001.0, "1001"),
            (13800138000.0, "13800138000"),
            (1001, "1001"),
            (12.5, "12.5"),
            (0.1 + 0.2, "0.3"),
            (Decimal("12.50"), "12.5"),
            (True, "TRUE"),
            (dt.date(2024, 1, 5), "2024-01-05"),
            (dt.datetime(2024, 1, 5), "2024-01-05"),
            (dt.datetime(2024, 1, 5, 8, 30), "2024-01-05 08:30:00"),
            ("'=1+1", "=1+1"),  # the writer's apostrophe is undone on re-import
            ("'-5", "-5"),
            ("'abc", "'abc"),
            ("x\x00y\x07", "xy"),
        ],
    )
    def test_cases(self, raw: object, expected: str | None) -> None:
        assert clean_text(raw) == expected

    def test_multiline_keeps_line_breaks(self) -> None:
        assert clean_text("\n 第一行  说明 \r\n\n第二行 \n\n", multiline=True) == "第一行 说明\n\n第二行"

    def test_fold_width_off_keeps_chinese_punctuation(self) -> None:
        assert clean_text("我们，他们\u200b", fold_width=False) == "我们，他们"


class TestParseText:
    def test_strips_and_checks_length(self) -> None:
        parse = parse_text(max_length=4)
        assert parse(" abcd ") == "abcd"
        with pytest.raises(CellError, match="4"):
            parse("abcde")

    def test_required(self) -> None:
        assert parse_text()(None) is None
        with pytest.raises(CellError) as exc:
            parse_text(required=True)("  ")
        assert exc.value.message_zh.startswith("必填")
        assert "required" in exc.value.message_en

    def test_numbers_lose_the_point_zero(self) -> None:
        assert parse_text()(13800138000.0) == "13800138000"
        assert parse_text()(1001.0) == "1001"

    def test_upper(self) -> None:
        assert parse_text(upper=True)("11010519491231002x") == "11010519491231002X"

    def test_id_number_mangled_by_excel_is_refused(self) -> None:
        with pytest.raises(CellError, match="15"):
            parse_text()(1.10105194912310e17)
        with pytest.raises(CellError, match="科学计数法"):
            parse_text()("1.10105E+17")


class TestParseInt:
    @pytest.mark.parametrize(("raw", "expected"), [
        (12, 12), (12.0, 12), ("12", 12), (" 1,234 ", 1234), ("１２", 12), ("-3", -3), ("+3", 3), ("12.0", 12),
        (Decimal("7"), 7), ("", None), (None, None),
    ])
    def test_accepts(self, raw: object, expected: int | None) -> None:
        assert parse_int()(raw) == expected

    @pytest.mark.parametrize("raw", ["1.5", 1.5, "abc", "1,5", "1,2345", "12%", True, dt.date(2024, 1, 1), "1 234"])
    def test_rejects(self, raw: object) -> None:
        with pytest.raises(CellError):
            parse_int()(raw)

    def test_range(self) -> None:
        with pytest.raises(CellError, match="不能大于 10"):
            parse_int(max_value=10)(11)
        with pytest.raises(CellError, match="不能小于 0"):
            parse_int(min_value=0)("-1")


class TestParseDecimal:
    def test_numbers_stored_as_text(self) -> None:
        parse = parse_decimal(2)
        assert parse("1,234.50") == Decimal("1234.50")
        assert parse("８５．５") == Decimal("85.50")
        assert parse(85.5) == Decimal("85.50")
        assert parse(0.1 + 0.2) == Decimal("0.30")

    def test_too_many_places(self) -> None:
        with pytest.raises(CellError, match="2 位小数"):
            parse_decimal(2)("1.234")
        assert parse_decimal(2, rounding=True)("1.235") == Decimal("1.24")

    def test_percent(self) -> None:
        assert parse_decimal(4, percent=True)("12.5%") == Decimal("0.1250")
        assert parse_decimal(4, percent=True)("12.5 ％") == Decimal("0.1250")
        assert parse_decimal(4, percent=True)(0.125) == Decimal("0.1250")
        with pytest.raises(CellError, match="百分号"):
            parse_decimal(2)("12.5%")


class TestParseMoneyFen:
    @pytest.mark.parametrize(("raw", "expected"), [
        ("1,234.56", 123456), (1234.56, 123456), ("¥1234.5", 123450), ("￥1,234.50", 123450),
        ("1234.5元", 123450), ("RMB 10", 1000), (0, 0), ("0.01", 1), (1234, 123400), ("１２３４．５６", 123456),
        (Decimal("9.99"), 999), ("1234.560", 123456), ("", None),
    ])
    def test_accepts(self, raw: object, expected: int | None) -> None:
        assert parse_money_fen()(raw) == expected

    @pytest.mark.parametrize("raw", ["1.234", 1234.567, "abc", "¥", "1,23.4", "12%"])
    def test_rejects(self, raw: object) -> None:
        with pytest.raises(CellError):
            parse_money_fen()(raw)

    def test_negative(self) -> None:
        with pytest.raises(CellError, match="负数"):
            parse_money_fen()("-5")
        assert parse_money_fen(allow_negative=True)("-¥5.5") == -550
        assert parse_money_fen(allow_negative=True)("¥-5.5") == -550
        assert parse_money_fen(allow_negative=True)("(1,234.56)") == -123456


class TestParseDate:
    @pytest.mark.parametrize(("raw", "expected"), [
        (dt.date(2024, 1, 5), dt.date(2024, 1, 5)),
        (dt.datetime(2024, 1, 5, 13, 0), dt.date(2024, 1, 5)),
        (45296, dt.date(2024, 1, 5)),
        (45296.0, dt.date(2024, 1, 5)),
        (45296.75, dt.date(2024, 1, 5)),  # a time of day does not move the date
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024.1.5", dt.date(2024, 1, 5)),
        ("2024年1月5日", dt.date(2024, 1, 5)),
        ("2024 年 1 月 5 日", dt.date(2024, 1, 5)),
        ("２０２４年１月５日", dt.date(2024, 1, 5)),
        ("20240105", dt.date(2024, 1, 5)),
        (20240105, dt.date(2024, 1, 5)),
        ("2024-01-05 00:00:00", dt.date(2024, 1, 5)),
        ("2024/1/5 8:30", dt.date(2024, 1, 5)),
        ("2024-01-05T08:30:00+08:00", dt.date(2024, 1, 5)),
        ("45296", dt.date(2024, 1, 5)),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (None, None),
        ("  ", None),
    ])
    def test_accepts(self, raw: object, expected: dt.date | None) -> None:
        assert parse_date()(raw) == expected

    @pytest.mark.parametrize("raw", ["2024-02-30", "2024/13/1", "1/5/2024", "24/1/5", "tomorrow", 60, 0, -1, True,
                                     "2024-1/5", 3_000_000, dt.time(8, 30)])
    def test_rejects(self, raw: object) -> None:
        with pytest.raises(CellError):
            parse_date()(raw)

    def test_message_lists_formats(self) -> None:
        with pytest.raises(CellError) as exc:
            parse_date()("5th Jan")
        assert "2024年1月5日" in exc.value.message_zh
        assert "2024-01-05" in exc.value.message_en

    def test_range(self) -> None:
        with pytest.raises(CellError, match="早于"):
            parse_date(min_date=dt.date(2020, 1, 1))("2019-12-31")

    def test_serial_helpers(self) -> None:
        assert excel_serial(dt.date(2024, 1, 5)) == 45296
        assert excel_serial(dt.date(1900, 2, 28)) == 59
        assert excel_serial(dt.date(1900, 3, 1)) == 61
        assert date_from_serial(45296) == dt.date(2024, 1, 5)
        with pytest.raises(ValueError, match="1900"):
            excel_serial(dt.date(1899, 12, 31))


class TestParseBool:
    @pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "YES", "true", "TRUE", "1", 1, 1.0, True, "✓", "√", "对"])
    def test_true(self, raw: object) -> None:
        assert parse_bool()(raw) is True

    @pytest.mark.parametrize("raw", ["否", "N", "no", "False", "0", 0, 0.0, False, "✗", "×"])
    def test_false(self, raw: object) -> None:
        assert parse_bool()(raw) is False

    @pytest.mark.parametrize("raw", ["maybe", 2, "是的吧"])
    def test_rejects(self, raw: object) -> None:
        with pytest.raises(CellError, match="是"):
            parse_bool()(raw)


class TestParseChoice:
    CHOICES = {"active": "active", "在岗": "active", "Active": "active", "left": "left", "离场": "left", "Left": "left"}

    @pytest.mark.parametrize(("raw", "expected"), [
        ("active", "active"), ("ACTIVE", "active"), ("在岗", "active"), (" 在 岗 ", "active"), ("Ｌｅｆｔ", "left"),
        ("离场", "left"), (None, None),
    ])
    def test_accepts_code_and_labels(self, raw: object, expected: str | None) -> None:
        assert parse_choice(self.CHOICES)(raw) == expected

    def test_rejects_with_choices_listed(self) -> None:
        with pytest.raises(CellError) as exc:
            parse_choice(self.CHOICES)("休假")
        assert "在岗、离场" in exc.value.message_zh

    def test_tuples_and_dropdown_labels(self) -> None:
        parse = parse_choice([("M", "男", "Male"), ("F", "女", "Female")])
        assert parse("male") == "M"
        assert parse("女") == "F"
        assert parse.choices == ("男", "女")

    def test_conflicting_spellings_are_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="claimed"):
            parse_choice({"a": "x", "A": "y"})
