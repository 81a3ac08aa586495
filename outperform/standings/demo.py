"""Demo standings: vendor scorecards for 2026 Q2 and Q3 (the base demo's archived cycle is a worker
cycle, so vendor cycles are run here through the ordinary flow), standings refreshed after each,
one vendor at C with a rectification required, settlement rules on two contracts, Q3 settlement."""

from __future__ import annotations

import datetime as dt

from outperform.core.demo.loader import DemoContext
from outperform.vendors.models import Contract, Vendor, VendorStatus

from . import services
from .models import SettlementRule
from .scorecards import run_vendor_period


def load(ctx: DemoContext) -> None:
    hr = ctx.users["hr"]
    vendors = list(Vendor.objects.filter(status=VendorStatus.ACTIVE).order_by("id"))
    if not vendors:
        return
    rng = ctx.rng
    weak = vendors[min(1, len(vendors) - 1)]  # the vendor that slides to C
    idle = vendors[-1] if len(vendors) > 2 else None  # no activity in Q2
    base = {v.pk: rng.uniform(0.84, 0.99) for v in vendors}
    q2 = {v.pk: (None if v == idle else (0.86 if v == weak else base[v.pk])) for v in vendors}
    q3 = {v.pk: (0.70 if v == weak else min(1.0, base[v.pk] + rng.uniform(-0.04, 0.03))) for v in vendors}
    try:
        run_vendor_period(actor=hr, name="2026年第二季度服务商考核", start=dt.date(2026, 4, 1),
                          end=dt.date(2026, 6, 30), quality=q2)
        services.standings_refresh(actor=hr)
        q3_cycle = run_vendor_period(actor=hr, name="2026年第三季度服务商考核", start=dt.date(2026, 7, 1),
                                     end=dt.date(2026, 9, 30), quality=q3)
    except LookupError:
        return  # no built-in vendor template: nothing to score
    services.standings_refresh(actor=hr)
    good = next((v for v in vendors if v != weak), weak)
    rules = [
        (weak, {"A": "2", "B": "0", "C": "-5", "D": "-10"}, 300_00, 5_000_00),
        (good, {"A": "2", "B": "0", "C": "-5", "D": "-10"}, 500_00, 3_000_00),
    ]
    for vendor, adjustments, per_breach, cap in rules:
        contract = Contract.objects.filter(vendor=vendor, start_date__lte=q3_cycle.end_date,
                                           end_date__gte=q3_cycle.start_date).order_by("number").first()
        if contract is None or SettlementRule.objects.filter(contract=contract).exists():
            continue
        fee = (contract.amount_fen // 4) or 300_000_00  # a quarter of the contract amount
        SettlementRule.objects.create(contract=contract, period_fee_fen=fee, standing_adjustments=adjustments,
                                      breach_deduction_fen=per_breach, breach_cap_fen=cap,
                                      note="季度结算：评级调整 + SLA 违约扣款（封顶）")
    services.settlements_compute(actor=hr, cycle=q3_cycle)
