"""The two exceptions of the spreadsheet layer, both bilingual (Chinese first)."""

from __future__ import annotations


class BilingualError(ValueError):
    """An error whose message is shown to end users in Chinese and English."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        if self.message_zh == self.message_en:
            return self.message_zh
        return f"{self.message_zh} / {self.message_en}"


class CellError(BilingualError):
    """One cell's value can't be used. Raised by the cell parsers.

    `column_key` is only set by whole-row checks (`SheetSpec.row_checks`) that want the error shown
    on a particular column; a parser never needs it because the caller knows the column.
    """

    def __init__(self, message_zh: str, message_en: str, column_key: str | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.column_key = column_key


class SpreadsheetError(BilingualError):
    """The file as a whole is refused: wrong type, macros, too big, unreadable, ...

    `code` is a stable machine-readable reason (see `docs/excel.md`).
    """

    def __init__(self, message_zh: str, message_en: str, code: str = "invalid") -> None:
        super().__init__(message_zh, message_en)
        self.code = code
