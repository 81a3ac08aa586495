"""Template and indicator services: validation (engine messages, worded), versions, freezing, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from outperform.core.audit import snapshot
from outperform.core.models import AuditLog
from outperform.indicators import services
from outperform.indicators.models import GradeBand, Indicator, Quota, Template, TemplateIndicator

from .helpers import WORKER_BANDS, dimension, qualitative, quantitative, two_indicator_template

pytestmark = pytest.mark.django_db


def _audit(obj):  # type: ignore[no-untyped-def]
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def _items(template, weights):  # type: ignore[no-untyped-def]
    return [TemplateIndicator(indicator=Indicator.objects.get(code=code), weight=Decimal(w), order=i)
            for i, (code, w) in enumerate(weights)]


def _bands(rows=WORKER_BANDS):  # type: ignore[no-untyped-def]
    return [GradeBand(code=c, name=n, min_score=Decimal(lo), max_score=Decimal(hi), coefficient=Decimal(k), colour=col)
            for c, n, lo, hi, k, col in rows]


def _save(world, template, **children):  # type: ignore[no-untyped-def]
    return services.template_save(actor=world.users["hr"], template=template,
                                  before=snapshot(template) if template.pk else None, **children)


# --- weights ---------------------------------------------------------------------------------------


def test_weights_must_add_up_to_100_and_the_message_states_the_sum(world):
    template = two_indicator_template()
    before = services.template_content(template)
    with pytest.raises(ValidationError) as caught:
        _save(world, template, items=_items(template, [("QA", "50"), ("QB", "40")]))
    message = " ".join(caught.value.messages)
    assert "指标权重合计为 90" in message  # Chinese, with the sum
    assert "add up to 90, not 100" in message  # and the engine's English
    # Nothing was written: the old rows are intact and no audit row exists.
    assert services.template_content(template) == before
    assert not _audit(template).exists()


def test_negative_weights_are_refused(world):
    template = two_indicator_template()
    with pytest.raises(ValidationError) as caught:
        _save(world, template, items=_items(template, [("QA", "110"), ("QB", "-10")]))
    assert any("第 2 行" in m and "0" in m for m in caught.value.message_dict["items"])


def test_role_weights_must_add_up_to_100(world):
    template = two_indicator_template()
    template.role_weights = {"supervisor": "60", "self": "30"}
    with pytest.raises(ValidationError) as caught:
        _save(world, template)
    assert any("评价角色权重合计为 90" in m for m in caught.value.messages)


@pytest.mark.parametrize(("rows", "words"), [
    # 合格 stops at 75 but 良好 starts at 80: 75–80 has no grade
    ([("EX", "优秀", "90", "100", "1.5", "#111111"), ("GD", "良好", "80", "90", "1.2", "#111111"),
      ("OK", "合格", "60", "75", "1", "#111111"), ("NG", "不合格", "0", "60", "0", "#111111")],
     "75 到 80 分没有对应等级"),
    ([("EX", "优秀", "85", "100", "1.5", "#111111"), ("GD", "良好", "80", "90", "1.2", "#111111"),
      ("OK", "合格", "60", "80", "1", "#111111"), ("NG", "不合格", "0", "60", "0", "#111111")],
     "区间重叠"),
    ([("EX", "优秀", "90", "99", "1.5", "#111111"), ("GD", "良好", "80", "90", "1.2", "#111111"),
      ("OK", "合格", "0", "80", "1", "#111111")],
     "最高等级止于 99 分"),
])
def test_grade_bands_must_cover_0_to_100_without_gap_or_overlap(world, rows, words):
    template = two_indicator_template()
    with pytest.raises(ValidationError) as caught:
        _save(world, template, bands=_bands(rows))
    assert any(words in m for m in caught.value.messages), caught.value.messages
    assert template.bands.count() == 4


def test_quotas_must_name_an_existing_grade(world):
    template = two_indicator_template()
    template.grading = "forced_distribution"
    with pytest.raises(ValidationError) as caught:
        _save(world, template, quotas=[Quota(grade_code="ZZ", kind="max", share=Decimal(20))])
    assert any("不存在的等级“ZZ”" in m for m in caught.value.messages)
    _save(world, template, quotas=[Quota(grade_code="EX", kind="max", share=Decimal(20))])
    assert template.quotas.get().grade_code == "EX"


def test_indicator_for_another_subject_kind_is_refused(world):
    template = two_indicator_template()
    vendor_indicator = Indicator.objects.get(code="v_error_rate")
    with pytest.raises(ValidationError) as caught:
        _save(world, template, items=[*_items(template, [("QA", "60"), ("QB", "30")]),
                                      TemplateIndicator(indicator=vendor_indicator, weight=Decimal(10))])
    assert any("v_error_rate" in m and "不一致" in m for m in caught.value.messages)


def test_duplicate_rows_are_refused_with_their_row_numbers(world):
    template = two_indicator_template()
    with pytest.raises(ValidationError) as caught:
        _save(world, template, items=_items(template, [("QA", "50"), ("QA", "50")]))
    assert "第 2 行与第 1 行重复" in " ".join(caught.value.message_dict["items"])


def test_a_valid_save_replaces_children_and_writes_one_audit_row_with_them(world):
    template = two_indicator_template()
    _save(world, template, items=_items(template, [("QA", "70"), ("QB", "30")]))
    assert sorted(template.items.values_list("weight", flat=True)) == [30, 70]
    row = _audit(template).get()
    assert row.action == "update"
    assert row.changes["items"][0][0][1] == "60" and row.changes["items"][1][0][1] == "70"


def test_create_is_a_draft_with_one_audit_row(world):
    template = Template(code="NEW", name="新方案", subject_kind="worker", role_weights={"supervisor": 100})
    qualitative("QA")
    _save(world, template, items=[TemplateIndicator(indicator=Indicator.objects.get(code="QA"), weight=Decimal(100))],
          bands=_bands())
    assert template.status == "draft" and template.version == 1
    row = _audit(template).get()
    assert row.action == "create" and row.changes["items"] == [[], [["QA", "100", None, None, 0]]]


def test_a_failed_create_leaves_the_object_unsaved(world):
    qualitative("QA")
    template = Template(code="BAD", name="坏方案", subject_kind="worker", role_weights={"supervisor": 100})
    with pytest.raises(ValidationError):
        _save(world, template, items=[TemplateIndicator(indicator=Indicator.objects.get(code="QA"),
                                                        weight=Decimal(90))], bands=_bands())
    assert template.pk is None and not Template.objects.filter(code="BAD").exists()


def test_only_hr_and_admin_may_write(world):
    template = two_indicator_template()
    with pytest.raises(PermissionDenied):
        services.template_save(actor=world.users["supervisor"], template=template, before=snapshot(template))
    with pytest.raises(PermissionDenied):
        services.template_new_version(actor=world.users["auditor"], template=template)


# --- versions and freezing --------------------------------------------------------------------------


def test_new_version_copies_children_and_leaves_the_old_one_untouched(world):
    template = two_indicator_template()
    Template.objects.filter(pk=template.pk).update(frozen=True)
    template.refresh_from_db()
    old_fields, old_content = snapshot(template), services.template_content(template)
    copy = services.template_new_version(actor=world.users["hr"], template=template)
    template.refresh_from_db()
    assert snapshot(template) == old_fields and services.template_content(template) == old_content
    assert (copy.code, copy.version, copy.status, copy.frozen, copy.previous_id) == (
        template.code, 2, "draft", False, template.pk)
    assert services.template_content(copy) == old_content
    assert copy.items.count() == 2 and copy.bands.count() == 4
    assert copy.adjustments.count() == 1 and copy.vetoes.count() == 1
    # The next copy, even of the old version, takes the next free number.
    assert services.template_new_version(actor=world.users["hr"], template=template).version == 3
    assert _audit(copy).get().action == "create"


def test_a_frozen_template_cannot_be_edited_in_place(world):
    template = two_indicator_template()
    Template.objects.filter(pk=template.pk).update(frozen=True)
    template.refresh_from_db()
    template.name = "改名"
    with pytest.raises(ValidationError) as caught:
        _save(world, template)
    assert "复制为新版本" in caught.value.messages[0]
    assert Template.objects.get(pk=template.pk).name != "改名"


def test_status_changes_are_allowed_on_frozen_templates_and_activation_archives_siblings(world):
    v1 = two_indicator_template()
    Template.objects.filter(pk=v1.pk).update(frozen=True)
    v1.refresh_from_db()
    v2 = services.template_new_version(actor=world.users["hr"], template=v1)
    services.template_activate(actor=world.users["hr"], template=v2)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "active")
    services.template_archive(actor=world.users["hr"], template=v2)
    assert v2.status == "archived"


def test_an_invalid_template_cannot_be_activated(world):
    template = two_indicator_template(weights=("60", "30"))
    Template.objects.filter(pk=template.pk).update(status="draft")
    template.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.template_activate(actor=world.users["hr"], template=template)
    assert "90" in caught.value.messages[0]


def test_copy_under_a_new_code(world):
    template = two_indicator_template()
    copy = services.template_copy(actor=world.users["hr"], template=template, new_code="T-COPY")
    assert (copy.version, copy.status, copy.previous_id) == (1, "draft", None)
    assert services.template_content(copy) == services.template_content(template)
    with pytest.raises(ValidationError):
        services.template_copy(actor=world.users["hr"], template=template, new_code="T-COPY")


def test_the_code_of_a_template_does_not_change(world):
    template = two_indicator_template()
    template.code = "OTHER"
    with pytest.raises(ValidationError) as caught:
        _save(world, template)
    assert "code" in caught.value.message_dict


# --- indicators ------------------------------------------------------------------------------------


def _indicator(**fields):  # type: ignore[no-untyped-def]
    return Indicator(code="X1", name="测试", dimension=dimension(), subject_kind="worker", **fields)


def test_formula_errors_point_at_the_column(world):
    indicator = _indicator(kind="quantitative", rule={"type": "formula", "expression": "value +* 3"})
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(actor=world.users["hr"], indicator=indicator, before=None)
    message = caught.value.message_dict["rule"][0]
    assert "公式第 8 列" in message and "column 8" in message


@pytest.mark.parametrize(("fields", "key"), [
    ({"kind": "qualitative", "rule": {"type": "linear", "floor": "0", "target": "100"}}, "rule"),
    ({"kind": "quantitative", "rule": None}, "rule"),
    ({"kind": "quantitative", "rule": {"type": "linear", "floor": "0", "target": "0"}}, "rule"),
    ({"kind": "quantitative", "direction": "lower", "rule": {"type": "linear", "floor": "0", "target": "100"}},
     "rule"),
    ({"kind": "quantitative", "rater_roles": ["self"], "rule": {"type": "deduction", "per_event": "5"}},
     "rater_roles"),
    ({"kind": "qualitative", "rater_roles": ["boss"]}, "rater_roles"),
    ({"kind": "qualitative", "levels": [{"score": 120, "label": "x"}]}, "levels"),
])
def test_indicator_rules_roles_and_levels_are_checked(world, fields, key):
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(actor=world.users["hr"], indicator=_indicator(**fields), before=None)
    assert key in caught.value.message_dict


def test_indicator_save_stores_the_canonical_rule_and_audits_once(world):
    indicator = _indicator(kind="quantitative", rule={"type": "deduction", "per_event": 5})
    services.indicator_save(actor=world.users["hr"], indicator=indicator, before=None)
    assert indicator.rule == {"type": "deduction", "per_event": "5", "start": "100", "minimum": "0"}
    assert _audit(indicator).get().action == "create"
    before = snapshot(indicator)
    indicator.name = "改名"
    services.indicator_save(actor=world.users["hr"], indicator=indicator, before=before)
    assert list(_audit(indicator).values_list("action", flat=True).order_by("id")) == ["create", "update"]


def test_a_template_rule_override_is_checked_against_its_indicator(world):
    template = two_indicator_template()
    quantitative("QN", {"type": "linear", "floor": "0", "target": "100"})
    items = _items(template, [("QA", "60"), ("QB", "30"), ("QN", "10")])
    items[0].rule = {"type": "linear", "floor": "0", "target": "100"}  # QA is qualitative
    with pytest.raises(ValidationError) as caught:
        _save(world, template, items=items)
    assert "QA" in " ".join(caught.value.message_dict["items"])
