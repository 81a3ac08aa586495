"""Import 10,000 workers from .xlsx through the same path as the web page (parse, resolve, validate,
bulk write, audit). Target: under 10 s. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL."""

from __future__ import annotations

import io
import random

from _setup import Timer, report, setup_django

N = 10_000
FLOOR = 10.0


def main() -> None:
    db = setup_django("import")
    import openpyxl

    from outperform.core.demo import names
    from outperform.core.demo.loader import load_demo
    from outperform.core.models import User
    from outperform.workers.importers import WorkerImporter
    from outperform.workers.models import Worker

    load_demo(workers=0)
    rng = random.Random(1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("外包人员")
    ws.append(["工号", "姓名", "性别", "手机号", "身份证号", "服务商", "部门", "岗位", "入场日期", "状态",
               "基本工资（元）", "绩效奖金基数（元）"])
    depts = ["OPS-CS1", "OPS-CS2", "OPS-QA", "TECH-DEV", "LOG-WH"]
    for i in range(N):
        gender = rng.choice("MF")
        ws.append([f"B{i:06d}", names.person_name(rng), "男" if gender == "M" else "女", names.mobile(rng),
                   names.id_number(rng, gender), "上海卓越人力资源有限公司", rng.choice(depts), "P-CS",
                   f"2025/{rng.randint(1, 12)}/{rng.randint(1, 28)}", "在岗", f"{rng.randint(4500, 12000)}.00",
                   "2000"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    hr = User.objects.get(username="hr")
    with Timer() as t:
        result = WorkerImporter().run(io.BytesIO(data), "workers.xlsx", actor=hr, dry_run=False)
    assert result.ok, result.errors[:3]
    assert result.created == N
    assert Worker.objects.count() == N
    with Timer() as t2:
        again = WorkerImporter().run(io.BytesIO(data), "workers.xlsx", actor=hr, dry_run=False)
    assert again.unchanged == N
    print(f"database={db} rows={N} file_kb={len(data) // 1024} first_import={t.seconds:.2f}s "
          f"reimport_unchanged={t2.seconds:.2f}s")
    report("import_10k", t.seconds, FLOOR)


if __name__ == "__main__":
    main()
