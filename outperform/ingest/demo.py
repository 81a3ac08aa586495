"""Demo batches: the vendor's weekly delivery export (its own column names, mapped once and
remembered), committed by the vendor manager; and an HR upload with mistakes, left with its error
report. Always about a hundred rows, whatever the size of the demo."""

from __future__ import annotations

import csv
import datetime as dt
import io

from outperform.core.demo.loader import DemoContext
from outperform.workers.models import Worker

from . import services

TASKS = ["客户来电回访", "周报数据整理", "工单质检抽查", "知识库条目更新", "排班表核对", "投诉闭环跟踪",
         "系统巡检", "培训签到统计"]
VENDOR_HEADERS = ["单号", "事项", "供应商", "员工工号", "截止日", "完成日", "验收", "返工"]
VENDOR_MAPPING = {0: "external_id", 1: "title", 2: "vendor", 3: "worker", 4: "due_date", 5: "delivered_date",
                  6: "acceptance", 7: "rework_count"}


def _csv(headers: list[str], rows: list[list[object]], encoding: str) -> io.BytesIO:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return io.BytesIO(buf.getvalue().encode(encoding))


def load(ctx: DemoContext) -> None:
    vendor_user = ctx.users.get("vendor")
    hr = ctx.users.get("hr")
    if vendor_user is None or hr is None:
        return
    vendor_id = vendor_user.role_grants.filter(vendor__isnull=False).values_list("vendor_id", flat=True).first()
    if vendor_id is None:
        return
    workers = list(Worker.objects.filter(vendor_id=vendor_id).select_related("vendor").order_by("employee_no")[:30])
    if not workers:
        return
    rng = ctx.rng
    week_end = ctx.today - dt.timedelta(days=ctx.today.weekday() + 1)
    rows: list[list[object]] = []
    for i in range(90):
        w = rng.choice(workers)
        due = week_end - dt.timedelta(days=rng.randrange(7))
        done = due + dt.timedelta(days=rng.choice([-2, -1, 0, 0, 0, 1, 2]))
        rows.append([f"ING-{week_end:%Y%m%d}-{i + 1:03d}", rng.choice(TASKS), w.vendor.credit_code, w.employee_no,
                     due.isoformat(), done.isoformat(), rng.choice(["已验收"] * 6 + ["已退回", "待验收"]),
                     rng.choice([0, 0, 0, 0, 1])])
    # GBK, as the vendor's Chinese Excel saves "CSV"
    batch = services.batch_upload(actor=vendor_user, source_key="task",
                                  fileobj=_csv(VENDOR_HEADERS, rows, "gbk"), filename="本周交付明细.csv")
    services.batch_set_mapping(actor=vendor_user, batch=batch, mapping=VENDOR_MAPPING)
    services.batch_execute(actor=vendor_user, batch=batch, dry_run=False)

    bad = [list(r) for r in rows[:12]]
    for r in bad:
        r[0] = str(r[0]).replace("ING-", "HR-")
    bad[3][4] = "2026-02-30"
    bad[7][2] = "不存在的服务商"
    batch = services.batch_upload(actor=hr, source_key="task", fileobj=_csv(VENDOR_HEADERS, bad, "utf-8-sig"),
                                  filename="补录任务.csv")
    services.batch_execute(actor=hr, batch=batch, dry_run=True)
