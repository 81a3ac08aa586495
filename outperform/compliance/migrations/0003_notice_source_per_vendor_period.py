"""Notices opened by a standing are keyed by vendor and period ("standing:<vendor>:<cycle>")
instead of by standing row ("standing:<pk>"), and a key is unique: a refresh run again issues no
duplicate. Old keys are rewritten; where two notices end on one key (the old rule opened another
after the first was closed) the later ones keep their old key with "#<id>" so nothing is lost.
The unique constraint comes in 0004, in its own transaction (PostgreSQL)."""

from django.db import migrations


def rekey(apps, schema_editor):
    notice_model = apps.get_model("compliance", "RectificationNotice")
    standing_model = apps.get_model("standings", "VendorStanding")
    old = {n.pk: n for n in notice_model.objects.filter(source_key__regex=r"^standing:[0-9]+$")}
    if not old:
        return
    standing_ids = {int(n.source_key.split(":")[1]) for n in old.values()}
    periods = {pk: (v, c) for pk, v, c in standing_model.objects.filter(pk__in=standing_ids)
               .values_list("pk", "vendor_id", "cycle_id")}
    seen = set(notice_model.objects.exclude(pk__in=list(old)).exclude(source_key="")
               .values_list("source_key", flat=True))
    for pk in sorted(old):
        n = old[pk]
        standing_pk = int(n.source_key.split(":")[1])
        vendor_id, cycle_id = periods.get(standing_pk, (n.vendor_id, None))
        key = f"standing:{vendor_id}:{cycle_id}" if cycle_id else f"standing:{vendor_id}:row{standing_pk}"
        if key in seen:
            key = f"{n.source_key}#{pk}"[:60]
        seen.add(key)
        n.source_key = key
        n.save(update_fields=["source_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0002_default_checklists"),
        ("standings", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
