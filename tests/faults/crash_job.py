"""Run by tests/faults/test_kill.py in a child process (`manage.py shell < crash_job.py`):
CRASH_JOB=import — import 400 new workers from an .xlsx; CRASH_JOB=compute — compute the running cycle."""

import io
import os

import openpyxl

from outperform.core.models import User
from outperform.cycles.models import Cycle
from outperform.cycles.services import cycle_compute
from outperform.workers.importers import WorkerImporter
from outperform.workers.models import Worker

hr = User.objects.get(username="hr")
job = os.environ["CRASH_JOB"]
if job == "import":
    model = Worker.objects.select_related("vendor", "department", "position").order_by("pk").first()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "服务商", "部门", "岗位", "入场日期"])
    for n in range(400):
        sheet.append([f"CRASH{n:04d}", f"测试{n:04d}", model.vendor.name, model.department.name, model.position.name,
                      "2026-03-01"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    result = WorkerImporter().run(data, "crash.xlsx", actor=hr, dry_run=False)
    assert result.ok, (result.header_errors, result.errors[:5])
    print(f"IMPORTED created={result.created} unchanged={result.unchanged}")
else:
    cycle = Cycle.objects.exclude(state__in=["published", "confirmation", "archived"]).order_by("pk").first()
    summary = cycle_compute(actor=hr, cycle=cycle)
    print(f"COMPUTED {summary.computed}")
