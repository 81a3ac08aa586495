"""Writes of standings: refresh (bulk), the consequence gate, settlement compute / approve / export."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.access.models import Role, RoleGrant
from outperform.access.scoping import scope_for
from outperform.core.audit import audit_bulk, audit_update, snapshot
from outperform.core.display import format_money
from outperform.cycles.models import Cycle
from outperform.notifications.delivery import Outgoing, notify_many
from outperform.notifications.models import NotificationKind
from outperform.vendors.models import Contract, Vendor

from . import calc, selectors
from .models import Settlement, SettlementRule, SettlementState, StandingBand, VendorStanding

log = logging.getLogger(__name__)

GATE_ACTIONS = ("new_contract", "new_project_assignment", "new_worker")


def ensure_hr(actor: Any) -> None:
    scope = scope_for(actor)
    if not (scope.is_superuser or scope.roles & {Role.SYSTEM_ADMIN, Role.HR_ADMIN}):
        raise PermissionDenied(_("需要绩效管理员权限 / Performance admin only"))


# --- refresh ------------------------------------------------------------------------------------


@dataclass
class RefreshSummary:
    vendors: int = 0
    created: int = 0
    changed: int = 0
    notified: int = 0
    rectifications: int = 0
    new_rows: list[VendorStanding] = field(default_factory=list)


@transaction.atomic
def standings_refresh(*, actor: Any = None, today: dt.date | None = None) -> RefreshSummary:
    """Recompute every vendor's standing from its published scorecards.

    Constant queries: periods, bands, policy, current standings, (write) history rows, old rows
    retired, recipients, notifications, audit, and the rectification notices in bulk. Idempotent:
    a vendor whose score, code and latest period are unchanged gets no new row and no new
    notification; a vendor and period already holding a notice get no second one.
    """
    summary = RefreshSummary()
    band_rows = selectors.bands()
    if not band_rows:
        return summary
    by_code = {b.code: b for b in band_rows}
    cbands = selectors.calc_bands(band_rows)
    weights = selectors.decay_weights()
    periods = selectors.period_scores()
    current = selectors.current_keys()
    new_rows: list[VendorStanding] = []
    for vendor_id, rows in periods.items():
        window = rows[: len(weights)]
        weighted = calc.decayed_score([p.composite if p.active else None for p in window], weights)
        if weighted.score is None:
            continue  # no period with activity: no standing rather than a made-up one
        summary.vendors += 1
        code = calc.band_for(weighted.score, cbands)
        band = by_code[code]
        latest = next(p for p in window if p.active)
        old = current.get(vendor_id)
        if old is not None and old.code == code and old.score == weighted.score and old.cycle_id == latest.cycle_id:
            continue
        new_rows.append(VendorStanding(
            vendor_id=vendor_id, cycle_id=latest.cycle_id, period_label=latest.label, score=weighted.score,
            period_score=latest.composite, code=code, previous_code=old.code if old else "", colour=band.colour,
            rectification_required=band.require_rectification, termination_review=band.termination_review,
            detail={"weights": [str(w) for w in weights], "periods": [
                {"cycle": p.cycle_id, "label": p.label, "score": None if p.composite is None else str(p.composite),
                 "active": p.active, "weight": None if w is None else str(calc.q2(w * 100))}
                for p, w in zip(window, weighted.weights, strict=False)]},
            is_current=True,
        ))
    if not new_rows:
        return summary
    VendorStanding.objects.filter(vendor_id__in=[r.vendor_id for r in new_rows], is_current=True).update(
        is_current=False)
    _insert(VendorStanding, new_rows)
    audit_bulk(actor, created=new_rows)
    summary.created = len(new_rows)
    summary.new_rows = new_rows
    changed = [r for r in new_rows if r.previous_code and r.previous_code != r.code]
    due = []
    for row in new_rows:
        entered = row.previous_code == "" or not by_code.get(row.previous_code, band_rows[0]).require_rectification
        if row.rectification_required and entered:
            due.append(row)
    vendors = Vendor.objects.in_bulk({r.vendor_id for r in [*changed, *due]}) if changed or due else {}
    summary.changed = len(changed)
    summary.notified = _notify_changes(changed, {pk: v.name for pk, v in vendors.items()}, cbands)
    summary.rectifications = _require_rectification(due, vendors, actor)
    return summary


def _insert(model: type[Model], rows: Sequence[Model]) -> None:
    """bulk_create; on PostgreSQL through COPY. Django inserts a batch there as UNNEST(arrays), and
    psycopg's client-side binding quotes every array element in Python: a JSON column (a
    standing's `detail`, a settlement's `breakdown`), with each of its quotes escaped, costs about
    half a millisecond a row. COPY hands the rows over in C. The ids are drawn from the table's
    sequence first, so the objects (and their audit rows) know them, as after bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=500)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk.column, len(rows)])
        values = []
        for obj, (new_id,) in zip(rows, cur.fetchall(), strict=True):
            obj.pk = new_id
            values.append([new_id, *(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)])
            obj._state.adding, obj._state.db = False, connection.alias
        columns = ", ".join(q(str(c)) for c in [pk.column, *(f.column for f in fields)])
        with cur.cursor.copy(f"COPY {q(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)


def _notify_changes(changed: list[VendorStanding], names: dict[int, str], cbands: list[calc.Band]) -> int:
    """A notice to HR and to the vendor's own managers (both sides) for each change, through the
    notifications app (in-app, and e-mail for those who want alerts by e-mail); constant queries."""
    if not changed:
        return 0
    grants = RoleGrant.objects.filter(user__is_active=True).filter(
        role__in=[Role.HR_ADMIN, Role.VENDOR_MANAGER]).values_list("user_id", "role", "vendor_id")
    hr = {u for u, role, _v in grants if role == Role.HR_ADMIN}
    managers: dict[int, set[int]] = defaultdict(set)
    for u, role, v in grants:
        if role == Role.VENDOR_MANAGER and v:
            managers[v].add(u)
    out: list[Outgoing] = []
    for row in changed:
        worse = calc.band_rank(row.code, cbands) > calc.band_rank(row.previous_code, cbands)
        verb = _("下降") if worse else _("上升")
        title = _("服务商评级%(verb)s：%(vendor)s %(old)s → %(new)s") % {
            "verb": verb, "vendor": names.get(row.vendor_id, ""), "old": row.previous_code, "new": row.code}
        body = _("综合评分 %(score)s（截至 %(period)s）。") % {"score": row.score, "period": row.period_label}
        if row.rectification_required:
            body += _("该评级要求整改。")
        if row.termination_review:
            body += _("该服务商已进入终止合作评审。")
        url = reverse("standings:vendor", args=[row.vendor_id])
        key = f"vendor_standing:{row.vendor_id}:{row.cycle_id}:{row.previous_code}>{row.code}:{row.score}"
        out.append(Outgoing(kind=NotificationKind.ALERT, title=title[:200], body=body, url=url,
                            dedupe_key=key[:120], user_ids=tuple(sorted(hr | managers.get(row.vendor_id, set())))))
    return notify_many(out).inapp


def _require_rectification(rows: list[VendorStanding], vendors: dict[int, Vendor], actor: Any) -> int:
    """Hand over to the compliance app (rectification notices) when it is installed: its bulk
    `rectifications_required([(vendor, standing)], actor)` if it has one, else
    `rectification_required(vendor, standing, actor)` per vendor. Returns the notices asked for
    (the bulk hook: the ones issued now, without those a vendor and period already had)."""
    if not rows:
        return 0
    try:
        from outperform.compliance import services as compliance_services  # noqa: PLC0415
    except ImportError:
        compliance_services = None  # type: ignore[assignment]
    bulk = getattr(compliance_services, "rectifications_required", None)
    hook = getattr(compliance_services, "rectification_required", None)
    if bulk is None and hook is None:
        log.info("rectification required for vendors %s: compliance hook not installed",
                 [r.vendor_id for r in rows])
        return 0
    pairs = [(vendors[r.vendor_id], r) for r in rows]
    if bulk is not None:
        return len(bulk(pairs, actor))
    assert hook is not None
    for vendor, standing in pairs:
        hook(vendor, standing, actor)
    return len(pairs)


# --- consequences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    allowed: bool
    warning: str | None


GATE_FIELDS = {
    "new_contract": ("warn_new_contract", "block_new_contract", gettext_lazy("新签合同")),
    "new_project_assignment": ("warn_new_project_assignment", "block_new_project_assignment",
                               gettext_lazy("派入新项目")),
    "new_worker": ("warn_new_worker", "block_new_worker", gettext_lazy("新增人员")),
}


def vendor_gate(vendor: Vendor | int, action: str) -> Gate:
    """May `action` be done for the vendor under its current standing? (allowed, warning)."""
    if action not in GATE_FIELDS:
        raise ValueError(f"unknown gate action {action}")
    vendor_id = vendor if isinstance(vendor, int) else vendor.pk
    standing = VendorStanding.objects.filter(vendor_id=vendor_id, is_current=True).only("code", "score").first()
    if standing is None:
        return Gate(True, None)
    band = StandingBand.objects.filter(code=standing.code).first()
    if band is None:
        return Gate(True, None)
    warn_field, block_field, label = GATE_FIELDS[action]
    args = {"code": standing.code, "score": standing.score, "action": label}
    if getattr(band, block_field):
        return Gate(False, _("服务商当前评级为 %(code)s（%(score)s 分），不允许%(action)s") % args)
    if getattr(band, warn_field):
        return Gate(True, _("注意：服务商当前评级为 %(code)s（%(score)s 分），%(action)s需谨慎") % args)
    return Gate(True, None)


def gate_warnings(vendor: Vendor) -> list[str]:
    return [w for a in GATE_ACTIONS if (w := vendor_gate(vendor, a).warning)]


def ensure_gate(vendor_id: int | None, action: str, field_name: str) -> None:
    if vendor_id is None:
        return
    gate = vendor_gate(vendor_id, action)
    if not gate.allowed:
        raise ValidationError({field_name: gate.warning or ""})


# --- settlement ---------------------------------------------------------------------------------


def _breaches(rules: list[SettlementRule], cycle: Cycle) -> dict[int, int]:
    """SLA-breached tickets opened in the period, per contract: tickets naming the contract, and
    tickets without one counted against the vendor's ruled contract running on the opening day
    (the lowest contract number if several). One query."""
    from outperform.records.models import SlaStatus, Ticket

    by_vendor: dict[int, list[Contract]] = defaultdict(list)
    for rule in sorted(rules, key=lambda r: r.contract.number):
        by_vendor[rule.contract.vendor_id].append(rule.contract)
    counts: dict[int, int] = defaultdict(int)
    ruled = {r.contract_id for r in rules}
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(cycle.start_date, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(cycle.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    for vendor_id, contract_id, opened in Ticket.objects.filter(
        vendor_id__in=list(by_vendor), sla_status=SlaStatus.BREACHED, opened_at__gte=start, opened_at__lt=end,
    ).values_list("vendor_id", "contract_id", "opened_at"):
        if contract_id is not None:
            if contract_id in ruled:
                counts[contract_id] += 1
            continue
        day = timezone.localtime(opened, tz).date()
        for c in by_vendor[vendor_id]:
            if c.start_date <= day <= c.end_date:
                counts[c.pk] += 1
                break
    return counts


@transaction.atomic
def settlements_compute(*, actor: Any, cycle: Cycle) -> int:
    """Settle every contract with a rule running in the period; drafts are recomputed, approved
    settlements are left alone. Constant queries."""
    ensure_hr(actor)
    rules = list(SettlementRule.objects.select_related("contract").filter(
        contract__start_date__lte=cycle.end_date, contract__end_date__gte=cycle.start_date))
    if not rules:
        return 0
    vendor_ids = {r.contract.vendor_id for r in rules}
    latest: dict[int, VendorStanding] = {}
    of_period: dict[int, VendorStanding] = {}
    for s in VendorStanding.objects.filter(vendor_id__in=vendor_ids).order_by("created_at", "id"):
        latest[s.vendor_id] = s
        if s.cycle_id == cycle.pk:
            of_period[s.vendor_id] = s
    # The standing computed for the period itself wins; else the latest standing known.
    standing_for = {**latest, **of_period}
    breaches = _breaches(rules, cycle)
    existing = {s.contract_id: s for s in Settlement.objects.filter(cycle=cycle, contract_id__in=[r.contract_id
                                                                                                   for r in rules])}
    created: list[Settlement] = []
    updated: list[tuple[Settlement, dict[str, Any]]] = []
    for rule in rules:
        standing = standing_for.get(rule.contract.vendor_id)
        code = standing.code if standing else ""
        pct = Decimal(str(rule.standing_adjustments.get(code, "0"))) if code else Decimal(0)
        amounts = calc.settle(fee_fen=rule.period_fee_fen, adjustment_pct=pct,
                              breach_count=breaches.get(rule.contract_id, 0),
                              per_breach_fen=rule.breach_deduction_fen, breach_cap_fen=rule.breach_cap_fen)
        values = _settlement_values(rule, cycle, code, amounts)
        row = existing.get(rule.contract_id)
        if row is None:
            created.append(Settlement(contract=rule.contract, vendor_id=rule.contract.vendor_id, cycle=cycle,
                                      **values))
        elif row.state == SettlementState.DRAFT:
            before = snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            if snapshot(row) != before:
                updated.append((row, before))
    _insert(Settlement, created)
    Settlement.objects.bulk_update([r for r, _b in updated], list(_SETTLEMENT_FIELDS), batch_size=500)
    audit_bulk(actor, created=created, updated=updated)
    return len(created) + len(updated)


_SETTLEMENT_FIELDS = ("period_label", "fee_fen", "standing_code", "adjustment_pct", "standing_adjustment_fen",
                      "breach_count", "breach_deduction_fen", "deduction_fen", "final_fen", "breakdown")


def _settlement_values(rule: SettlementRule, cycle: Cycle, code: str, a: calc.SettlementAmounts) -> dict[str, Any]:
    breakdown = [
        {"step": "fee", "label": "合同费用 / Period fee", "amount_fen": a.fee_fen},
        {"step": "standing", "label": f"评级 {code or '-'} 调整 {a.adjustment_pct}%",
         "amount_fen": a.standing_adjustment_fen},
        {"step": "sla", "label": f"SLA违约 {a.breach_count} 次 × {format_money(rule.breach_deduction_fen)}"
                                 + (f"（封顶 {format_money(rule.breach_cap_fen)}）" if a.breach_capped else ""),
         "amount_fen": -a.breach_deduction_fen},
        {"step": "final", "label": "结算金额 / Final", "amount_fen": a.final_fen},
    ]
    return {"period_label": cycle.name, "fee_fen": a.fee_fen, "standing_code": code,
            "adjustment_pct": a.adjustment_pct.quantize(Decimal("0.01")), "standing_adjustment_fen": a.standing_adjustment_fen,
            "breach_count": a.breach_count, "breach_deduction_fen": a.breach_deduction_fen,
            "deduction_fen": a.deduction_fen, "final_fen": a.final_fen, "breakdown": breakdown}


@transaction.atomic
def settlement_approve(*, actor: Any, settlement: Settlement) -> Settlement:
    ensure_hr(actor)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state == SettlementState.APPROVED:
        raise ValidationError(_("该结算已审批 / Already approved"))
    before = snapshot(settlement)
    settlement.state = SettlementState.APPROVED
    settlement.approved_by = actor
    settlement.approved_at = timezone.now()
    settlement.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    audit_update(actor, settlement, before)
    return settlement


EXPORT_HEADERS = ("合同编号", "服务商", "期间", "合同费用", "评级", "调整比例", "SLA违约次数", "扣款", "结算金额", "状态")


def settlements_xlsx(rows: list[Settlement]) -> bytes:
    """The finance sheet: amounts in 元 with two decimals (exact: fen ÷ 100), a total row that
    equals the sum of the rows, and a breakdown sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from outperform.core.excel.writer import neutralise

    def yuan(fen: int) -> Decimal:
        return Decimal(fen) / 100

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "结算汇总"
    ws.append(list(EXPORT_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    totals = [0, 0, 0, 0]
    for s in rows:
        ws.append([neutralise(s.contract.number), neutralise(s.vendor.name), neutralise(s.period_label),
                   yuan(s.fee_fen), s.standing_code or "-", f"{s.adjustment_pct}%", s.breach_count,
                   yuan(s.deduction_fen), yuan(s.final_fen), str(s.get_state_display())])
        totals = [totals[0] + s.fee_fen, totals[1] + s.breach_count, totals[2] + s.deduction_fen,
                  totals[3] + s.final_fen]
    ws.append(["合计", "", "", yuan(totals[0]), "", "", totals[1], yuan(totals[2]), yuan(totals[3]), ""])
    for row in ws.iter_rows(min_row=2):
        for idx in (3, 7, 8):
            row[idx].number_format = "#,##0.00"
    ws[ws.max_row][0].font = Font(bold=True)
    detail = wb.create_sheet("结算明细")
    detail.append(["合同编号", "期间", "项目", "金额"])
    for s in rows:
        for step in s.breakdown:
            detail.append([neutralise(s.contract.number), neutralise(s.period_label), neutralise(step["label"]),
                           yuan(int(step["amount_fen"]))])
    for width, col in zip((16, 28, 28, 14, 6, 10, 12, 14, 14, 8), "ABCDEFGHIJ", strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
