"""我的评价 and the rating grid go page by page (a supervisor can hold 10,000+ evaluations), with
counts per cycle and role from one GROUP BY; a grid POST saves the rows of its own page only.

Set-up: the world's 5 workers and 21 more, renamed 人员00 … 人员25 in id order before the cycle
opens, all reporting to the supervisor: 26 supervisor evaluations in one cycle (the default
template's self role adds one for the worker log-in, not the supervisor's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outperform.cycles.models import AssignmentState, RaterAssignment
from outperform.cycles.services import assignment_save
from outperform.testing.factories import WorkerFactory
from outperform.workers.models import Worker

from .helpers_web import make_cycle, to_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world, template):  # type: ignore[no-untyped-def]
    WorkerFactory.create_batch(21, vendor=world.vendor_a, department=world.ops_cs, position=world.position)
    for i, worker in enumerate(Worker.objects.order_by("pk")):
        worker.name = f"人员{i:02d}"
        worker.save(update_fields=["name"])
    return to_review(world, make_cycle(world, template), {"Q1": ("80", ""), "Q2": ("80", "")})


def _supervisor_forms(cycle):  # type: ignore[no-untyped-def]
    return {a.appraisal.subject_name: a for a in RaterAssignment.objects.filter(cycle=cycle, role="supervisor")
            .select_related("appraisal")}


def test_my_evaluations_pages_and_counts_per_cycle(world, client_for, cycle):
    """26 evaluations in pages of 20: 20 rows, then 6. The grid line counts all 26, 26 pending; after
    two are submitted, 24 pending — on every page."""
    sup = client_for("supervisor")
    url = reverse("cycles:my_evaluations")
    first, second = sup.get(url), sup.get(url, {"page": 2})
    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 6
    assert {r["a"].pk for r in first.context["rows"]}.isdisjoint({r["a"].pk for r in second.context["rows"]})
    [grid] = first.context["grids"]
    assert (grid["cycle_name"], grid["role"], grid["total"], grid["pending"]) == ("2026年第四季度", "supervisor", 26, 26)
    forms = _supervisor_forms(cycle)
    for name in ("人员03", "人员17"):
        assignment_save(actor=world.users["supervisor"], assignment=forms[name],
                        values={"Q1": ("80", ""), "Q2": ("80", "")}, submit=True)
    [grid] = sup.get(url, {"page": 2}).context["grids"]
    assert (grid["total"], grid["pending"]) == (26, 24)
    assert "26 人，待提交 24 人" in sup.get(url).content.decode()


def test_the_to_do_list_puts_open_work_first(world, client_for, cycle):
    """Drafts, then pending, then submitted: 人员05 saved as a draft comes first, 人员00 submitted
    comes last (of 26 on two pages of 20, it is the 6th row of page 2)."""
    forms = _supervisor_forms(cycle)
    sup_user = world.users["supervisor"]
    assignment_save(actor=sup_user, assignment=forms["人员05"], values={"Q1": ("80", "")}, submit=False)
    assignment_save(actor=sup_user, assignment=forms["人员00"], values={"Q1": ("80", ""), "Q2": ("80", "")},
                    submit=True)
    sup = client_for("supervisor")
    url = reverse("cycles:my_evaluations")
    assert sup.get(url).context["rows"][0]["a"].pk == forms["人员05"].pk
    assert sup.get(url, {"page": 2}).context["rows"][-1]["a"].pk == forms["人员00"].pk


def test_the_grid_pages_by_name_and_saves_only_its_page(world, client_for, cycle):
    """Pages of 20 by name: page 2 holds 人员20 … 人员25. A POST to page 2 with values for its 6 rows
    and for 人员01 (page 1) saves 6 drafts; 人员01 stays pending. The redirect keeps the page."""
    sup = client_for("supervisor")
    url = reverse("cycles:rating_grid", args=[cycle.pk, "supervisor"])
    page = sup.get(url, {"per_page": 20, "page": 2})
    assert [r["a"].appraisal.subject_name for r in page.context["rows"]] == [f"人员{i}" for i in range(20, 26)]
    assert 'data-testid="grid-pages"' in page.content.decode()
    forms = _supervisor_forms(cycle)
    data = {"save": "1"}
    for name in [f"人员{i}" for i in range(20, 26)] + ["人员01"]:
        data[f"v_{forms[name].pk}_Q1"] = "80"
        data[f"v_{forms[name].pk}_Q2"] = "85"
    response = sup.post(f"{url}?per_page=20&page=2", data)
    assert response.status_code == 302 and response["Location"] == f"{url}?per_page=20&page=2"
    states = dict(RaterAssignment.objects.filter(cycle=cycle, role="supervisor")
                  .values_list("appraisal__subject_name", "state"))
    assert [states[f"人员{i}"] for i in range(20, 26)] == [AssignmentState.DRAFT] * 6
    assert states["人员01"] == AssignmentState.PENDING
