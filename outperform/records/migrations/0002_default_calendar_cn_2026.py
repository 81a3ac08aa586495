"""The default working calendar (9:00–12:00, 13:30–18:00, Monday to Friday) with China's 2026
public holidays and 调休 make-up working days (State Council notice of 2025-11-04)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from outperform.records.sla.holidays import CN_2026

    WorkCalendar = apps.get_model("records", "WorkCalendar")
    CalendarDay = apps.get_model("records", "CalendarDay")
    calendar, _ = WorkCalendar.objects.get_or_create(
        code="CN-STD", defaults={"name": "中国标准工作日历", "is_default": True}
    )
    existing = set(CalendarDay.objects.filter(calendar=calendar).values_list("date", flat=True))
    CalendarDay.objects.bulk_create([
        CalendarDay(calendar=calendar, date=day, kind=kind, name=name)
        for day, kind, name in CN_2026 if day not in existing
    ])


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
