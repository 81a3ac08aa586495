"""China's public holidays and make-up working days (调休), as the State Council announces them each
year. Pure data; the data migration seeds the default calendar with it, and the yearly notice is
entered the same way (form or import of 节假日/调休).

Source: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕…，2025年11月4日，新华社）.
"""

from __future__ import annotations

import datetime as dt

HOLIDAY, WORKDAY = "holiday", "workday"


def _days(name: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, str, str]]:
    return [(first + dt.timedelta(days=i), HOLIDAY, name) for i in range((last - first).days + 1)]


D = dt.date

CN_2026: list[tuple[dt.date, str, str]] = [
    *_days("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    (D(2026, 1, 4), WORKDAY, "元旦调休上班"),
    (D(2026, 2, 14), WORKDAY, "春节调休上班"),
    *_days("春节", D(2026, 2, 15), D(2026, 2, 23)),
    (D(2026, 2, 28), WORKDAY, "春节调休上班"),
    *_days("清明节", D(2026, 4, 4), D(2026, 4, 6)),
    *_days("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    (D(2026, 5, 9), WORKDAY, "劳动节调休上班"),
    *_days("端午节", D(2026, 6, 19), D(2026, 6, 21)),
    (D(2026, 9, 20), WORKDAY, "国庆节调休上班"),
    *_days("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    *_days("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
    (D(2026, 10, 10), WORKDAY, "国庆节调休上班"),
]

SCHEDULES: dict[int, list[tuple[dt.date, str, str]]] = {2026: CN_2026}
