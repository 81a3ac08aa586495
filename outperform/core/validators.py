"""Validators for Chinese identifiers, with the check characters their standards define."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters over this 31-letter alphabet (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if not USCC_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母 / A unified social credit code has 18 digits or capitals"),
            code="uscc_format",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确 / The credit code's check character is wrong"), code="uscc_check"
        )


# GB 11643-1999 公民身份号码: 17 digits, then a check character from ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    number = (value or "").strip().upper()
    if not ID_RE.match(number):
        raise ValidationError(
            _("身份证号应为18位 / An ID number has 18 characters"), code="id_format"
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期无效 / The birth date inside the ID number is not a date"), code="id_birth"
        ) from None
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确 / The ID number's check digit is wrong"), code="id_check")


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(
            _("手机号应为11位且以1开头 / A mobile number has 11 digits starting with 1"), code="mobile"
        )
