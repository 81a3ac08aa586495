"""Normalising and parsing the cells people really type into Excel (Chinese spreadsheets first).

Each `parse_*` function is a factory: it takes the column's options and returns a `CellParser`, a
callable `(raw) -> value | None` that raises `CellError` with a bilingual message. Empty cells
(None, "", only spaces) give None unless the parser was made with `required=True`.

Raw values are whatever the reader produced: str from CSV, and from xlsx also int/float, bool,
date/datetime. Every parser accepts all of them, because the same column arrives as a number from
one user's workbook and as text from another's CSV.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from .errors import CellError

T = TypeVar("T")

# --- text normalisation -------------------------------------------------------------------------

# Characters nobody means to keep: zero-width and bidi controls (invisible, and they break natural
# keys such as 工号 silently), soft hyphen, BOM, and C0 controls that XML can't even store.
_INVISIBLE = [0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
_INVISIBLE += list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
_INVISIBLE += [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0x7F]

_CLEAN_TABLE: dict[int, int | None] = {c: None for c in _INVISIBLE}
_CLEAN_TABLE[0x0B] = _CLEAN_TABLE[0x0C] = 0x20  # vertical tab / form feed: keep the word break
_CLEAN_TABLE[0x00A0] = 0x20

# Full-width ASCII (Ｆ０１２３，＠) as typed with a Chinese IME in full-width mode, and the
# ideographic space.
_FOLD_TABLE: dict[int, int | None] = dict(_CLEAN_TABLE)
_FOLD_TABLE.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
_FOLD_TABLE[0x3000] = 0x20

_FULL_WIDTH = re.compile("[\uff01-\uff5e]")

# Characters that make Excel start a formula (see writer.neutralise). The writer prefixes such text
# with an apostrophe; dropping it again here lets an exported file be re-imported unchanged.
_FORMULA_START = ("=", "+", "-", "@")


def _scalar_text(value: object) -> str:
    """Text form of a non-string cell, as Excel would display it in a General cell."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # 工号 1001 and mobile 13800138000 arrive as 1001.0 / 13800138000.0 from xlsx.
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        # Excel shows 15 significant digits, so 0.1+0.2 is "0.3" to the user, not 0.30000000000000004.
        return format(value, ".15g")
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)


def clean_text(value: object, *, multiline: bool = False, fold_width: bool = True) -> str | None:
    """Normalise a cell to clean text, or None when it is empty.

    Full-width ASCII and the ideographic space become half-width (unless fold_width=False),
    invisible characters go, whitespace is trimmed and inner runs collapse to one space (with
    multiline=True line breaks survive, blank lines at both ends go). Integral floats lose their
    ".0". Idempotent: clean_text(clean_text(x)) == clean_text(x).
    """
    if value is None:
        return None
    s = value if isinstance(value, str) else _scalar_text(value)
    if not s:
        return None
    if s.isprintable() and not multiline:
        # The common case, made cheap: isprintable() rules out controls, invisible format characters
        # and every whitespace but the ASCII space, so only width folding and spaces are left.
        if fold_width and not s.isascii() and _FULL_WIDTH.search(s):
            s = s.translate(_FOLD_TABLE)
        if s[0] == " " or s[-1] == " " or "  " in s:
            s = " ".join(s.split())
        if len(s) > 1 and s[0] == "'" and s[1] in _FORMULA_START:
            s = s[1:]
        return s or None
    if not (s.isascii() and s.isprintable()):
        s = s.translate(_FOLD_TABLE if fold_width else _CLEAN_TABLE)
    if multiline:
        lines = [" ".join(line.split()) for line in s.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        s = "\n".join(lines)
    else:
        s = " ".join(s.split())
    if len(s) > 1 and s[0] == "'" and s[1] in _FORMULA_START:
        s = s[1:]
    return s or None


def display_value(value: object) -> str:
    """The cell as the user would recognise it, for error messages and reports."""
    return clean_text(value, multiline=True) or ""


# --- parser objects ------------------------------------------------------------------------------


class CellParser(Generic[T]):
    """A cell parser: call it with a raw cell. Carries what templates and exports need to know.

    kind: "text" | "int" | "decimal" | "money" | "date" | "bool" | "choice" (or a custom word).
    hint_zh/hint_en: what may be typed, for template comments.
    choices: labels to offer in a dropdown (choice and bool columns).
    number_format: the Excel number format for this column in exports and templates.
    """

    __slots__ = ("fn", "kind", "hint_zh", "hint_en", "choices", "number_format")

    def __init__(
        self,
        fn: Callable[[Any], T | None],
        kind: str,
        hint_zh: str = "",
        hint_en: str = "",
        *,
        choices: tuple[str, ...] = (),
        number_format: str | None = None,
    ) -> None:
        self.fn = fn
        self.kind = kind
        self.hint_zh = hint_zh
        self.hint_en = hint_en
        self.choices = choices
        self.number_format = number_format

    def __call__(self, raw: Any) -> T | None:
        return self.fn(raw)

    def __repr__(self) -> str:
        return f"<CellParser {self.kind}>"


def _required_error() -> CellError:
    return CellError("必填，不能为空", "required; the cell is empty")


# --- text ----------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?[eE]\+\d+")
# Excel keeps 15 significant digits; a longer number typed in a General cell (身份证号, bank card
# number) is already damaged when it reaches us.
_EXCEL_EXACT_LIMIT = 1e15


def parse_text(
    max_length: int | None = None,
    *,
    required: bool = False,
    upper: bool = False,
    lower: bool = False,
    multiline: bool = False,
    fold_width: bool = True,
    reject_scientific: bool = True,
) -> CellParser[str]:
    """Text. Numbers arrive without ".0"; upper/lower normalise case (codes, ID numbers)."""

    def parse(raw: Any) -> str | None:
        if isinstance(raw, float) and math.isfinite(raw) and abs(raw) >= _EXCEL_EXACT_LIMIT:
            raise CellError(
                "数字超过 15 位，Excel 已丢失精度；请把该列设为“文本”格式后重新填写",
                "a number longer than 15 digits has lost precision in Excel; format the column as Text "
                "and type it again",
            )
        s = clean_text(raw, multiline=multiline, fold_width=fold_width)
        if s is None:
            if required:
                raise _required_error()
            return None
        if reject_scientific and _SCIENTIFIC.fullmatch(s):
            raise CellError(
                "数字被 Excel 转成了科学计数法（如 1.23E+17），原值已丢失；请把该列设为“文本”格式后重新填写",
                "Excel turned the number into scientific notation (e.g. 1.23E+17) and lost digits; "
                "format the column as Text and type it again",
            )
        if upper:
            s = s.upper()
        elif lower:
            s = s.lower()
        if max_length is not None and len(s) > max_length:
            raise CellError(
                f"不能超过 {max_length} 个字符（现为 {len(s)} 个）",
                f"at most {max_length} characters (this has {len(s)})",
            )
        return s

    hint_zh = "文本" + (f"，最多 {max_length} 个字符" if max_length else "")
    hint_en = "text" + (f", at most {max_length} characters" if max_length else "")
    return CellParser(parse, "text", hint_zh, hint_en, number_format="@")


# --- numbers -------------------------------------------------------------------------------------

# Thousands separators must group by three: "1,5" is a European 1.5 or a typo, never fifteen.
_NUMBER = re.compile(r"([+-]?) ?(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)  # CSV numbers: no cleaning needed
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-"})
_NOT_A_NUMBER = ("不是有效的数字", "not a valid number")


def _decimal_from(raw: Any, *, percent_ok: bool) -> tuple[Decimal, bool] | None:
    """(value, had a % sign) of a numeric cell; None when empty."""
    if type(raw) is str and _PLAIN_NUMBER.fullmatch(raw):
        return Decimal(raw), False
    if isinstance(raw, bool):
        raise CellError(*_NOT_A_NUMBER)
    if isinstance(raw, int):
        return Decimal(raw), False
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(*_NOT_A_NUMBER)
        return Decimal(format(raw, ".15g")), False
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CellError(*_NOT_A_NUMBER)
        return raw, False
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        raise CellError("应为数字，而不是日期或时间", "expected a number, not a date or time")
    s = clean_text(raw)
    if s is None:
        return None
    s = s.translate(_MINUS_SIGNS)
    had_percent = s.endswith("%")
    if had_percent:
        if not percent_ok:
            raise CellError("此列不接受百分号 %", "a percent sign is not accepted in this column")
        s = s[:-1].rstrip()
    m = _NUMBER.fullmatch(s)
    if m is None or not (m.group(2) or m.group(3)):
        raise CellError(*_NOT_A_NUMBER)
    try:
        value = Decimal(s.replace(",", "").replace(" ", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise CellError(*_NOT_A_NUMBER) from None
    return value, had_percent


def _check_range(value: Any, min_value: Any, max_value: Any) -> None:
    if min_value is not None and value < min_value:
        raise CellError(f"不能小于 {min_value}", f"must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise CellError(f"不能大于 {max_value}", f"must be at most {max_value}")


def parse_int(
    *, min_value: int | None = None, max_value: int | None = None, required: bool = False
) -> CellParser[int]:
    """A whole number: 12, 12.0, "1,234", "１２"."""

    def parse(raw: Any) -> int | None:
        # Fast paths for what xlsx cells deliver; the general path handles text and Decimals.
        if type(raw) is float and raw.is_integer():
            n = int(raw)
            _check_range(n, min_value, max_value)
            return n
        if type(raw) is int:
            _check_range(raw, min_value, max_value)
            return raw
        got = _decimal_from(raw, percent_ok=False)
        if got is None:
            if required:
                raise _required_error()
            return None
        value = got[0]
        if value != value.to_integral_value():
            raise CellError("必须是整数", "must be a whole number")
        n = int(value)
        _check_range(n, min_value, max_value)
        return n

    return CellParser(parse, "int", "整数", "whole number", number_format="0")


def parse_decimal(
    places: int | None = 2,
    *,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
    percent: bool = False,
    rounding: bool = False,
    required: bool = False,
) -> CellParser[Decimal]:
    """A decimal number quantised to `places`.

    percent=True accepts "12.5%" as 0.125 (a number without % is taken as it is, which is also
    what a percent-formatted Excel cell gives). More decimals than `places` is an error, unless
    rounding=True (half up) — formulas such as =A1/3 produce long tails people don't see.
    """
    quantum = Decimal(1).scaleb(-places) if places is not None else None

    def parse(raw: Any) -> Decimal | None:
        got = _decimal_from(raw, percent_ok=percent)
        if got is None:
            if required:
                raise _required_error()
            return None
        value, had_percent = got
        if had_percent:
            value = value.scaleb(-2)
        if quantum is not None:
            try:
                exact = value.quantize(quantum)
                if exact != value and rounding:
                    exact = value.quantize(quantum, rounding=ROUND_HALF_UP)
            except InvalidOperation:
                raise CellError("数值过大", "the number is too large") from None
            if exact != value and not rounding:
                raise CellError(f"最多 {places} 位小数", f"at most {places} decimal places")
            value = exact
        _check_range(value, min_value, max_value)
        return value

    hint_zh = "数字" + (f"，最多 {places} 位小数" if places is not None else "")
    hint_en = "number" + (f", at most {places} decimal places" if places is not None else "")
    if percent:
        hint_zh += "，可写成 12.5%"
        hint_en += "; 12.5% is accepted"
    number_format = None if places is None else ("0" if places == 0 else "0." + "0" * places)
    return CellParser(parse, "decimal", hint_zh, hint_en, number_format=number_format)


_CURRENCY_PREFIX = re.compile(r"^(?:[¥￥]|RMB|CNY)\s*", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"\s*(?:元|RMB|CNY)$", re.IGNORECASE)
# Beyond this the fen value stops fitting comfortably in a bigint and it is certainly a typo.
_MAX_YUAN = Decimal(10) ** 15


def parse_money_fen(
    *,
    min_fen: int | None = None,
    max_fen: int | None = None,
    allow_negative: bool = False,
    required: bool = False,
) -> CellParser[int]:
    """A yuan amount → integer fen, exactly: "1,234.56", 1234.56, "¥1234.5", "1234.5元" → 123456.

    More than two decimals is an error, never silently rounded. "(1,234.56)" is the accounting
    notation of a negative amount.
    """

    def parse(raw: Any) -> int | None:
        negative = False
        if isinstance(raw, str) and not _PLAIN_NUMBER.fullmatch(raw):
            s = clean_text(raw)
            if s is not None:
                s = s.translate(_MINUS_SIGNS)
                if s[0] == "(" and s[-1] == ")":
                    negative, s = True, s[1:-1].strip()
                sign = ""
                if s[:1] in ("+", "-"):
                    sign, s = s[0], s[1:].lstrip()
                s = _CURRENCY_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", s))
                if not sign and s[:1] in ("+", "-"):
                    sign, s = s[0], s[1:].lstrip()
                if not s:
                    raise CellError(*_NOT_A_NUMBER)
                raw = sign + s
        got = _decimal_from(raw, percent_ok=False)
        if got is None:
            if required:
                raise _required_error()
            return None
        yuan = -got[0] if negative else got[0]
        if abs(yuan) >= _MAX_YUAN:
            raise CellError("金额过大", "the amount is too large")
        fen = yuan.scaleb(2)
        if fen != fen.to_integral_value():
            raise CellError("金额最多两位小数（精确到分）", "amounts take at most 2 decimal places (fen)")
        n = int(fen)
        if n < 0 and not allow_negative:
            raise CellError("金额不能为负数", "the amount can't be negative")
        _check_range(n, min_fen, max_fen)
        return n

    return CellParser(
        parse, "money", "金额（元），最多两位小数，如 1234.56", "amount in yuan, at most 2 decimals, e.g. 1234.56",
        number_format="#,##0.00",
    )


# --- dates ---------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31
_FAKE_LEAP_DAY = 60  # Excel's 1900-02-29, kept for Lotus 1-2-3 compatibility


def excel_serial(day: dt.date) -> int:
    """The Excel (1900 date system) serial number of a date."""
    if isinstance(day, dt.datetime):
        day = day.date()
    days = (day - _EXCEL_EPOCH).days
    if days < 2:
        raise ValueError("Excel serial numbers start at 1900-01-01")
    # Before the fake 1900-02-29 serials are one lower than a plain day count.
    return days - 1 if days < 61 else days


def date_from_serial(serial: float) -> dt.date:
    """Inverse of `excel_serial`; a fractional part (the time of day) is dropped."""
    if isinstance(serial, bool) or not math.isfinite(serial):
        raise CellError("不是有效的日期", "not a valid date")
    days = math.floor(serial)
    if days < 1 or days > _MAX_SERIAL:
        raise CellError("日期序号超出范围", "the date serial number is out of range")
    if days == _FAKE_LEAP_DAY:
        raise CellError("1900-02-29 不存在（Excel 的历史遗留错误）", "1900-02-29 does not exist (a legacy Excel bug)")
    if days < _FAKE_LEAP_DAY:
        days += 1
    return _EXCEL_EPOCH + dt.timedelta(days=days)


_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_SEPARATED = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME_TAIL)
_DATE_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\d{1,2}[:时]\d{2}(?:[:分]\d{2}秒?)?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# The serial number itself as text, which is what some systems put in CSV exports of date cells.
# Five digits are 1927-05-18 .. 2173-10-14; fewer is more likely a typo than a date.
_DATE_SERIAL_TEXT = re.compile(r"\d{5}")
_DATE_FORMATS_ZH = "2024-01-05、2024/1/5、2024.1.5、2024年1月5日 或 20240105"
_DATE_FORMATS_EN = "2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日 or 20240105"


def _make_date(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CellError(f"日期不存在：{y}-{m}-{d}", f"no such date: {y}-{m}-{d}") from None


def _date_from_text(s: str) -> dt.date:
    m = _DATE_SEPARATED.fullmatch(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    compact = s.replace(" ", "")
    m = _DATE_CHINESE.fullmatch(compact)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DATE_COMPACT.fullmatch(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _DATE_SERIAL_TEXT.fullmatch(s):
        return date_from_serial(int(s))
    raise CellError(f"无法识别的日期，请写成 {_DATE_FORMATS_ZH}", f"unrecognised date; write it as {_DATE_FORMATS_EN}")


def _date_from_number(n: float) -> dt.date:
    # 20240105 typed into a General cell is a number too; as a serial it would be past 9999.
    if n > _MAX_SERIAL and float(n).is_integer() and 10_000_101 <= n <= 99_991_231:
        return _date_from_text(str(int(n)))
    return date_from_serial(n)


def parse_date(
    *, min_date: dt.date | None = None, max_date: dt.date | None = None, required: bool = False
) -> CellParser[dt.date]:
    """A date from a date cell, an Excel serial number, or text in the common Chinese forms."""

    def parse(raw: Any) -> dt.date | None:
        value: dt.date
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, bool):
            raise CellError("不是有效的日期", "not a valid date")
        elif isinstance(raw, int | float):
            value = _date_from_number(raw)
        elif isinstance(raw, Decimal):
            value = _date_from_number(float(raw))
        elif isinstance(raw, dt.time | dt.timedelta):
            raise CellError("应为日期，而不是时间", "expected a date, not a time")
        elif type(raw) is str and _ISO_DATE.fullmatch(raw):
            # The commonest text form, parsed in C; an impossible date still gets the full message.
            try:
                value = dt.date.fromisoformat(raw)
            except ValueError:
                value = _date_from_text(raw)
        else:
            s = clean_text(raw)
            if s is None:
                if required:
                    raise _required_error()
                return None
            value = _date_from_text(s)
        if min_date is not None and value < min_date:
            raise CellError(f"不能早于 {min_date.isoformat()}", f"can't be before {min_date.isoformat()}")
        if max_date is not None and value > max_date:
            raise CellError(f"不能晚于 {max_date.isoformat()}", f"can't be after {max_date.isoformat()}")
        return value

    return CellParser(
        parse, "date", f"日期，如 {_DATE_FORMATS_ZH}", f"date, e.g. {_DATE_FORMATS_EN}", number_format="yyyy-mm-dd"
    )


# --- booleans and choices -----------------------------------------------------------------------

_TRUE_WORDS = frozenset({"是", "对", "有", "真", "y", "yes", "true", "t", "1", "on", "✓", "✔", "√", "☑"})
_FALSE_WORDS = frozenset({"否", "错", "无", "假", "n", "no", "false", "f", "0", "off", "✗", "✘", "×", "☐"})


def parse_bool(*, required: bool = False) -> CellParser[bool]:
    """是/否, Y/N, yes/no, true/false, 1/0, ✓/✗ (and Excel's own TRUE/FALSE cells)."""

    def parse(raw: Any) -> bool | None:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        s = clean_text(raw)
        if s is None:
            if required:
                raise _required_error()
            return None
        word = s.casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise CellError("请填写“是”或“否”", "write 是/否 (yes/no)")

    return CellParser(parse, "bool", "是 / 否", "是/否 (yes/no)", choices=("是", "否"))


_CJK = re.compile(r"[\u3400-\u9fff]")


def _choice_key(value: object) -> str | None:
    s = clean_text(value)
    return None if s is None else "".join(s.split()).casefold()


def parse_choice(
    choices: Mapping[str, Any] | Iterable[tuple[Any, ...]],
    *,
    labels: Mapping[Any, str] | None = None,
    required: bool = False,
) -> CellParser[Any]:
    """One of a fixed set, by code, Chinese label or English label, ignoring case, width and spaces.

    `choices` is either a mapping of every accepted spelling to its value
    ({"active": "active", "在岗": "active", "Active": "active"}), or tuples
    (value, label_zh, label_en, ...), every element of which is accepted. The dropdown of the
    template shows `labels[value]`, by default the Chinese-looking spelling of each value.
    """
    spellings: dict[Any, list[str]] = {}
    pairs: list[tuple[str, Any]] = []
    if isinstance(choices, Mapping):
        pairs = [(str(k), v) for k, v in choices.items()]
    else:
        for item in choices:
            value = item[0]
            pairs += [(str(s), value) for s in item]
    lookup: dict[str, Any] = {}
    exact: dict[str, Any] = {}  # spellings as given, to skip normalising the common case
    for spelling, value in pairs:
        exact.setdefault(spelling, value)
        key = _choice_key(spelling)
        if key is None:
            continue
        if key in lookup and lookup[key] != value:
            raise ValueError(f"choice spelling {spelling!r} is claimed by {lookup[key]!r} and {value!r}")
        lookup[key] = value
        spellings.setdefault(value, [])
        if spelling not in spellings[value]:
            spellings[value].append(spelling)

    def label_of(value: Any) -> str:
        if labels is not None and value in labels:
            return labels[value]
        names = spellings[value]
        return next((n for n in names if _CJK.search(n)), next((n for n in names if n != str(value)), names[0]))

    shown = tuple(label_of(v) for v in spellings)
    listed_zh = "、".join(shown[:12]) + ("……" if len(shown) > 12 else "")
    listed_en = ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")

    def parse(raw: Any) -> Any:
        if type(raw) is str and raw in exact:
            return exact[raw]
        key = _choice_key(raw)
        if key is None:
            if required:
                raise _required_error()
            return None
        try:
            return lookup[key]
        except KeyError:
            raise CellError(f"不是可选的值；可选：{listed_zh}", f"not one of the allowed values: {listed_en}") from None

    return CellParser(parse, "choice", f"可选：{listed_zh}", f"one of: {listed_en}", choices=shown)
