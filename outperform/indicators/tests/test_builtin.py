"""The built-in library is installed by the migrations and covers every measure the seeds name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outperform import scoring
from outperform.indicators.builtin import DIMENSIONS, INDICATORS, load_builtin_library
from outperform.indicators.models import Dimension, Indicator, Template
from outperform.indicators.snapshot import spec_from_snapshot, template_snapshot, validate_template_model

pytestmark = pytest.mark.django_db

# Every measure named in the source documents (shared/seeds), by who is measured.
SEED_WORKER_MEASURES = [
    "工作目标达成", "任务完成情况", "工作效率", "工作质量", "问题解决能力", "工作积极性", "团队协作", "专业技能",
    "沟通表达", "自我学习", "客户满意度", "及时率", "准确率",
]
SEED_VENDOR_MEASURES = [
    "交付及时率", "错误率", "客户投诉率", "满意度", "总成本节约", "资源利用率", "响应速度", "沟通准确度",
    "问题解决能力", "创新方案数量与质量", "招聘速度", "员工离职率控制", "培训计划完成率", "员工满意度", "投诉处理",
    "招聘成本", "合规与风险控制", "信息安全", "问题解决率", "SLA 达成率",
]
SEED_DIMENSIONS = [
    "工作业绩", "工作效率", "工作质量", "团队协作", "专业技能", "客户满意度", "成本效益", "沟通协作", "创新能力",
    "合规与风险", "交付时间", "服务水平(SLA)", "人力资源服务",
]


def test_dimensions_are_installed_with_codes_and_english_names():
    rows = list(Dimension.objects.order_by("order"))
    assert [d.name for d in rows] == SEED_DIMENSIONS
    assert all(d.code and d.name_en for d in rows)


@pytest.mark.parametrize(("subject_kind", "measures"), [("worker", SEED_WORKER_MEASURES),
                                                         ("vendor", SEED_VENDOR_MEASURES)])
def test_every_seed_measure_has_a_builtin_indicator(subject_kind, measures):
    names = list(Indicator.objects.filter(subject_kind=subject_kind, is_builtin=True).values_list("name", flat=True))
    missing = [m for m in measures if not any(m in n for n in names)]
    assert missing == []


def test_indicators_are_complete_and_their_rules_run_in_the_engine():
    assert Indicator.objects.filter(is_builtin=True).count() == len(INDICATORS)
    for ind in Indicator.objects.filter(is_builtin=True):
        assert ind.name_en and ind.description, ind.code
        if ind.kind == "qualitative":
            assert ind.rule is None and ind.rater_roles, ind.code
            assert len(ind.levels) >= 5, ind.code
            assert all(level["description"] for level in ind.levels), ind.code
            assert [lv["score"] for lv in ind.levels] == sorted((lv["score"] for lv in ind.levels), reverse=True)
        else:
            rule = scoring.rule_from_dict(ind.rule)
            assert ind.unit and ind.metric, ind.code
            # Direction of the data and of a linear rule agree.
            if isinstance(rule, scoring.LinearRule):
                assert (rule.direction == "lower_is_better") == (ind.direction == "lower"), ind.code


def test_named_kinds_from_the_brief():
    by_code = {i.code: i for i in Indicator.objects.all()}
    assert by_code["w_teamwork"].kind == "qualitative"
    assert by_code["w_teamwork"].rater_roles == ["self", "supervisor", "peer"]
    for code, metric in (("w_on_time_rate", "on_time_rate"), ("v_error_rate", "error_rate"),
                         ("v_sla_rate", "sla_attainment_rate")):
        assert by_code[code].kind == "quantitative"
        assert by_code[code].metric == metric
        assert by_code[code].rule["type"] in {"linear", "bands"}
    assert by_code["v_error_rate"].direction == "lower"


@pytest.mark.parametrize(("code", "name"), [("TPL-WORKER", "外包人员通用考核方案"), ("TPL-VENDOR-Q", "服务商季度考核方案")])
def test_ready_templates_are_active_and_valid(code, name):
    template = Template.objects.get(code=code)
    assert template.name == name and template.status == "active" and template.version == 1
    assert validate_template_model(template) == []
    assert sum(i.weight for i in template.items.all()) == 100


def test_worker_template_matches_the_brief():
    t = Template.objects.get(code="TPL-WORKER")
    assert {r: Decimal(w) for r, w in t.role_weights.items()} == {"self": 10, "supervisor": 60, "peer": 20, "client": 10}
    assert 6 <= t.items.count() <= 8
    bands = {b.name: (b.min_score, b.max_score, b.coefficient) for b in t.bands.all()}
    assert bands == {"优秀": (90, 100, Decimal("1.5")), "良好": (80, 90, Decimal("1.2")),
                     "合格": (60, 80, Decimal(1)), "不合格": (0, 60, 0)}
    assert all(b.colour.startswith("#") for b in t.bands.all())
    assert t.adjustments.get().cap == 5
    assert "安全事故" in t.vetoes.get().name


def test_vendor_template_covers_the_seven_sides():
    t = Template.objects.get(code="TPL-VENDOR-Q")
    dims = set(t.items.values_list("indicator__dimension__code", flat=True))
    assert {"DELIVERY", "QUALITY", "COST", "COMM", "INNOV", "COMPLY", "SLA"} <= dims
    assert {b.code: (b.min_score, b.max_score) for b in t.bands.all()} == {
        "A": (90, 100), "B": (75, 90), "C": (60, 75), "D": (0, 60)}


@pytest.mark.parametrize(("score", "grade"), [("100", "EXCELLENT"), ("90", "EXCELLENT"), ("89.99", "GOOD"),
                                              ("80", "GOOD"), ("79.99", "PASS"), ("60", "PASS"),
                                              ("59.99", "FAIL"), ("0", "FAIL")])
def test_band_boundaries_follow_the_engine_min_inclusive_max_exclusive_top_included(score, grade):
    spec = spec_from_snapshot(template_snapshot(Template.objects.get(code="TPL-WORKER")))
    scale = scoring.BandScale(spec.bands)
    assert scale.bands[scale.index(Decimal(score))].code == grade


def test_loading_again_adds_nothing_and_keeps_customer_edits():
    Indicator.objects.filter(code="w_quality").update(name="工作质量（本公司口径）")
    assert load_builtin_library() == {"dimensions": 0, "indicators": 0, "templates": 0}
    assert Indicator.objects.get(code="w_quality").name == "工作质量（本公司口径）"
    Indicator.objects.filter(code="w_learning").delete()  # not used by a template
    assert load_builtin_library()["indicators"] == 1
    assert Dimension.objects.count() == len(DIMENSIONS)
