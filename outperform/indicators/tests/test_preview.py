"""The live preview: a worked example whose numbers are computed by hand, through the service, the
page (htmx partial and no-JavaScript fallback) and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from outperform.indicators.preview import PreviewRequest, run_preview
from outperform.indicators.snapshot import template_snapshot

from .helpers import two_indicator_template

pytestmark = pytest.mark.django_db

# Template: QA weight 60, QB weight 40; rater roles supervisor 60 / self 40;
# bands 优秀 [90, 100] ×1.5, 良好 [80, 90) ×1.2, 合格 [60, 80) ×1.0, 不合格 [0, 60) ×0; bonus = base × coefficient.
#
# QA: supervisor scores 90 and 80 -> mean 85; self 70.
#     QA = (85 × 60 + 70 × 40) / 100 = (5100 + 2800) / 100 = 79.00
# QB: supervisor 95, no self rating -> the self role is left out and supervisor's weight is
#     renormalised to 100 % (a missing role is not a zero):  QB = 95.00
# Composite = 79 × 60 / 100 + 95 × 40 / 100 = 47.4 + 38 = 85.40 -> 良好 (80 ≤ 85.40 < 90), coefficient 1.2
# Bonus on a base of ¥2,000.00 (200000 fen): 200000 × 1.2 = 240000 fen = ¥2,400.00
RATINGS = {"QA": {"supervisor": [Decimal(90), Decimal(80)], "self": [Decimal(70)]},
           "QB": {"supervisor": [Decimal(95)]}}


def _preview(template, **extra):  # type: ignore[no-untyped-def]
    return run_preview(template_snapshot(template), PreviewRequest(ratings=RATINGS, base_bonus_fen=200000, **extra))


def test_worked_example(world):
    result = _preview(two_indicator_template())
    assert result["composite"] == "85.40"
    assert (result["grade"], result["grade_name"]) == ("GD", "良好")
    assert result["coefficient"] == "1.20"
    assert result["bonus_fen"] == 240000
    qa, qb = result["indicators"]
    assert (qa["score"], qa["contribution"]) == ("79.00", "47.4")
    assert (qb["score"], qb["contribution"]) == ("95.00", "38")
    assert [(r["role"], r["mean"], r["count"], r["effective_weight"]) for r in qa["roles"]] == [
        ("supervisor", "85.00", 2, "60.00"), ("self", "70.00", 1, "40.00")]
    # The self role did not rate QB: its weight went to the supervisor.
    assert [(r["role"], r["effective_weight"]) for r in qb["roles"]] == [("supervisor", "100.00")]


def test_adjustment_is_capped_and_veto_forces_the_lowest_grade(world):
    template = two_indicator_template()
    # +3 is within the cap of 5: 85.40 + 3 = 88.40, still 良好.
    assert _preview(template, adjustments={"ADJ": Decimal(3)})["composite"] == "88.40"
    # +8 is capped to +5: 85.40 + 5 = 90.40 -> 优秀 ×1.5 -> 200000 × 1.5 = 300000 fen.
    capped = _preview(template, adjustments={"ADJ": Decimal(8)})
    assert (capped["composite"], capped["grade"], capped["bonus_fen"]) == ("90.40", "EX", 300000)
    assert capped["adjustments"][0]["applied"] == "5.00"
    # A veto leaves the composite and forces 不合格 (coefficient 0 -> no bonus).
    vetoed = _preview(template, vetoes=["SAFETY"])
    assert (vetoed["composite"], vetoed["grade"], vetoed["band_grade"], vetoed["bonus_fen"]) == (
        "85.40", "NG", "GD", 0)


def test_an_invalid_template_explains_instead_of_computing(world):
    result = _preview(two_indicator_template(weights=("60", "30")))
    assert "指标权重合计为 90" in result["errors"][0]


def test_quantitative_and_formula_inputs_of_the_builtin_worker_template(world):
    from outperform.indicators.models import Template

    snap = template_snapshot(Template.objects.get(code="TPL-WORKER"))
    # Only the two data indicators: goal completion 90 % (linear 0→100: 90.00) and customer
    # satisfaction 88 % (linear 60→95: (88-60)/(95-60) × 100 = 80.00). Their weights 30 and 10 are
    # renormalised to 75 and 25: 90 × 0.75 + 80 × 0.25 = 67.5 + 20 = 87.50 -> 良好.
    result = run_preview(snap, PreviewRequest(metrics={"goal_completion": Decimal(90),
                                                       "customer_satisfaction": Decimal(88)}))
    assert result["composite"] == "87.50" and result["grade"] == "GOOD"
    assert set(result["not_applicable"]) == {"w_quality", "w_efficiency", "w_attitude", "w_teamwork", "w_skill"}


def test_page_preview_with_htmx_returns_the_partial(world, client_for):
    template = two_indicator_template()
    response = client_for("hr").post(reverse("indicators:templates_preview", args=[template.pk]), {
        "r:QA:supervisor": "90, 80", "r:QA:self": "70", "r:QB:supervisor": "95", "base_bonus": "2000",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="preview-composite">85.40<' in body
    assert "良好" in body and "¥2400.00" in body


def test_page_preview_without_javascript_shows_the_page_with_the_result(world, client_for):
    template = two_indicator_template()
    response = client_for("worker").post(reverse("indicators:templates_preview", args=[template.pk]), {
        "r:QA:supervisor": "90, 80", "r:QA:self": "70", "r:QB:supervisor": "95",
    })
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert 'data-testid="preview-composite">85.40<' in body
    assert 'value="90, 80"' in body  # what was typed is kept


def test_page_preview_reports_bad_input(world, client_for):
    template = two_indicator_template()
    response = client_for("hr").post(reverse("indicators:templates_preview", args=[template.pk]),
                                     {"r:QA:supervisor": "120"}, HTTP_HX_REQUEST="true")
    assert "0–100" in response.content.decode()


def test_preview_page_form_carries_the_csrf_token_for_htmx(world, client_for):
    template = two_indicator_template()
    body = client_for("hr").get(reverse("indicators:templates_detail", args=[template.pk])).content.decode()
    assert 'hx-post="/indicators/templates/' in body and '"X-CSRFToken": "' in body
    assert "<script>" not in body  # CSP: no inline scripts


@pytest.mark.parametrize("role", ["hr", "supervisor", "vendor_manager", "worker", "auditor"])
def test_api_preview_is_open_to_every_reader(world, api_for, role):
    template = two_indicator_template()
    response = api_for(role).post(f"/api/v1/templates/{template.pk}/preview/", {
        "ratings": {"QA": {"supervisor": [90, 80], "self": [70]}, "QB": {"supervisor": [95]}},
        "base_bonus_fen": 200000,
    }, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["composite"], data["grade"], data["bonus_fen"]) == ("85.40", "GD", 240000)


def test_api_preview_refuses_what_the_engine_refuses(world, api_for):
    template = two_indicator_template()
    response = api_for("hr").post(f"/api/v1/templates/{template.pk}/preview/",
                                  {"ratings": {"NOPE": {"supervisor": [90]}}}, format="json")
    assert response.status_code == 400 and "NOPE" in response.json()["errors"][0]
    response = api_for("hr").post(f"/api/v1/templates/{template.pk}/preview/",
                                  {"ratings": {"QA": {"supervisor": [101]}}}, format="json")
    assert response.status_code == 400
