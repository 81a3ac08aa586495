"""Refresh the standings of 2,000 vendors over 3 published vendor periods, then settle 2,000
contracts for one period, with 20,000 SLA tickets. Target: each under 5 s.

Timed (the headline is the first refresh):
- refresh: 2,000 vendors get their first standing (2,000 history rows, audit rows, and the
  rectification notices of those whose band requires one — issued in bulk);
- refresh_unchanged: the same again (nothing to write; idempotent);
- refresh_new_period: a fourth period is published in which 10 % of the vendors drop into C/D:
  2,000 new standings, change notifications to both sides and a few hundred notices in bulk;
- settle: 2,000 contracts settled for one period.

The URL configuration is loaded before timing (reversing a notice's URL loads every app's views
the first time, once per process; a web or Celery process has done so long before a refresh).

BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from _setup import Timer, report, setup_django

N = 2_000
FLOOR = 5.0


def main() -> None:
    db = setup_django("standings")
    from django.urls import reverse
    from django.utils import timezone

    from outperform.access.models import Role, RoleGrant
    from outperform.compliance.models import RectificationNotice
    from outperform.core.models import User
    from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
    from outperform.indicators.models import SubjectKind, Template
    from outperform.indicators.snapshot import template_snapshot
    from outperform.records.models import SlaStatus, Ticket
    from outperform.standings.models import Settlement, SettlementRule, VendorStanding
    from outperform.standings.services import settlements_compute, standings_refresh
    from outperform.vendors.models import Contract, Vendor

    rng = random.Random(1)
    hr = User.objects.create_user("hr", password="x")  # noqa: S106
    hr.is_superuser = True
    hr.save()
    RoleGrant.objects.create(user=hr, role=Role.HR_ADMIN)
    vendors = Vendor.objects.bulk_create([Vendor(name=f"服务商{i:05d}", credit_code=f"91310000{i:010d}",
                                                 category="labour") for i in range(N)])
    # every vendor has its own manager: notifications go to both sides
    managers = User.objects.bulk_create([User(username=f"vm{i:05d}") for i in range(N)])
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role=Role.VENDOR_MANAGER, vendor=v)
                                   for u, v in zip(managers, vendors, strict=True)])
    contracts = Contract.objects.bulk_create([
        Contract(vendor=v, number=f"HT-{i:05d}", title="外包服务", start_date=dt.date(2026, 1, 1),
                 end_date=dt.date(2026, 12, 31), amount_fen=1_000_000_00) for i, v in enumerate(vendors)])
    t = Template.objects.filter(code="TPL-VENDOR-Q").order_by("-version").first()
    assert t is not None
    snap = template_snapshot(t)

    def period(name: str, start: dt.date, end: dt.date, score: object) -> Cycle:
        c = Cycle.objects.create(name=name, start_date=start, end_date=end, subject_kind=SubjectKind.VENDOR,
                                 default_template=t, state=CycleState.ARCHIVED)
        ct = CycleTemplate.objects.create(cycle=c, template=t, snapshot=snap)
        rows = []
        for v in vendors:
            s = score(v)  # type: ignore[operator]
            rows.append(Appraisal(cycle=c, cycle_template=ct, subject_kind=SubjectKind.VENDOR, vendor=v,
                                  subject_name=v.name, composite=s,
                                  breakdown={"weighted_score": None if s is None else str(s)}))
        Appraisal.objects.bulk_create(rows, batch_size=2000)
        return c

    def usual(_v: Vendor) -> Decimal | None:
        # realistic spread: mean 88, sd 6; 5 % of the periods without activity
        if rng.random() < 0.05:
            return None
        return Decimal(round(min(100.0, rng.gauss(88, 6)), 2)).quantize(Decimal("0.01"))

    cycles = [period(f"2026Q{q + 1}", start, end, usual) for q, (start, end) in enumerate([
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30))])]
    reverse("compliance:notices_list")  # load the URL configuration once, outside the timers
    with Timer() as t1:
        first = standings_refresh(actor=hr)
    with Timer() as t2:
        again = standings_refresh(actor=hr)
    assert again.created == 0
    assert VendorStanding.objects.filter(is_current=True).count() == first.created
    assert RectificationNotice.objects.count() == first.rectifications
    dropping = set(rng.sample(range(N), N // 10))
    period("2026Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31),
           lambda v: Decimal("40.00") if int(v.name[-5:]) in dropping else usual(v))
    with Timer() as t4:
        fourth = standings_refresh(actor=hr)
    notices = RectificationNotice.objects.count()
    SettlementRule.objects.bulk_create([
        SettlementRule(contract=c, period_fee_fen=250_000_00, standing_adjustments={"C": "-5", "D": "-10"},
                       breach_deduction_fen=300_00, breach_cap_fen=5_000_00) for c in contracts])
    opened = timezone.make_aware(dt.datetime(2026, 8, 1, 10))
    Ticket.objects.bulk_create([
        Ticket(external_id=f"TK{i:06d}", vendor_id=(c := rng.choice(contracts)).vendor_id, contract=c, title="工单",
               opened_at=opened, sla_status=SlaStatus.BREACHED) for i in range(10 * N)], batch_size=5000)
    with Timer() as t3:
        n = settlements_compute(actor=hr, cycle=cycles[-1])
    assert n == N == Settlement.objects.count()
    print(f"database={db} vendors={N} rectifications={first.rectifications} refresh={t1.seconds:.2f}s "
          f"refresh_unchanged={t2.seconds:.2f}s refresh_new_period={t4.seconds:.2f}s "
          f"(changed={fourth.changed} rectifications={fourth.rectifications} notices_total={notices}) "
          f"settle={t3.seconds:.2f}s")
    report("standings_refresh_2k", t1.seconds, FLOOR, new_period_seconds=f"{t4.seconds:.3f}",
           settle_seconds=f"{t3.seconds:.3f}")


if __name__ == "__main__":
    main()
