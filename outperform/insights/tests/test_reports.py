"""PDF reports: Chinese text that can be extracted, CJK fonts embedded, the subject's view of the
360 breakdown, and scope (404 outside it) — web and API."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from outperform.core.models import Job, JobState
from outperform.cycles.models import Goal, Interview, RaterAssignment, Score

pytestmark = pytest.mark.django_db

CJK_FONT = shutil.which("fc-list") is not None and b"CJK" in subprocess.run(
    ["fc-list"], capture_output=True, check=False).stdout  # noqa: S607
needs_font = pytest.mark.skipif(not CJK_FONT, reason="Noto CJK fonts are not installed (apt-get install fonts-noto-cjk)")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font the pages use."""
    from pypdf import PdfReader

    fonts = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font.get("/BaseFont")), embedded))
    return fonts


@pytest.fixture
def rated(world, results):  # type: ignore[no-untyped-def]
    """a_self's Q3 appraisal with goals, an interview and comments from the supervisor and 1 peer."""
    a = results["2026Q3_appraisals"]["a_self"]
    Goal.objects.create(appraisal=a, title="工单按时关闭率", measure="SLA 内关闭", target="≥ 98%", weight=Decimal(50),
                        completion=Decimal(96), proposed_by=world.users["worker"])
    Interview.objects.create(appraisal=a, held_on="2026-10-20", participants="陈志强", strengths="响应迅速",
                             gaps="质检细节", actions=[{"action": "参加质检培训", "owner": "本人", "due": "2026-12-31"}],
                             interviewer=world.users["supervisor"])
    sup = RaterAssignment.objects.create(cycle=a.cycle, appraisal=a, rater=world.users["supervisor"], role="supervisor",
                                         state="submitted")
    peer = RaterAssignment.objects.create(cycle=a.cycle, appraisal=a, rater=world.users["hr"], role="peer",
                                          state="submitted")
    Score.objects.create(cycle=a.cycle, appraisal=a, assignment=sup, role="supervisor", indicator_code="Q1",
                         value=Decimal(75), comment="主管评语：态度认真")
    Score.objects.create(cycle=a.cycle, appraisal=a, assignment=peer, role="peer", indicator_code="Q1",
                         value=Decimal(70), comment="同事评语：只有一位互评人")
    return a


@needs_font
def test_individual_pdf_has_chinese_text_and_embedded_cjk_font(world, rated, client_for):
    response = client_for("worker").get(reverse("insights:individual_report", args=[rated.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("个人绩效报告", rated.subject_name, "75.00", "合格", "工单按时关闭率", "参加质检培训", "主管评语：态度认真"):
        assert expected in text, expected
    # one peer is below the anonymity minimum (3): their comment is not in the subject's report
    assert "同事评语" not in text
    fonts = pdf_fonts(response.content)
    assert any("CJK" in name for name, _e in fonts), fonts
    assert all(embedded for _name, embedded in fonts), fonts


@needs_font
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_pdffonts_agrees_the_fonts_are_embedded(world, rated, client_for, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(client_for("hr").get(reverse("insights:individual_report", args=[rated.pk, "pdf"])).content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    lines = out.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), out  # the "emb" column


@pytest.mark.parametrize(("role", "status"), [("hr", 200), ("auditor", 200), ("supervisor", 200),
                                              ("vendor_manager", 200), ("worker", 200), ("nobody", 404)])
def test_individual_report_scope(world, results, client_for, role, status):
    a = results["2026Q3_appraisals"]["a_self"]
    assert client_for(role).get(reverse("insights:individual_report", args=[a.pk, "xlsx"])).status_code == status


@pytest.mark.parametrize("role", ["supervisor", "vendor_manager", "worker"])
def test_individual_report_outside_scope_is_404(world, results, client_for, role):
    b_tech = results["2026Q3_appraisals"]["b_tech"]  # TECH, vendor B, not the worker
    assert client_for(role).get(reverse("insights:individual_report", args=[b_tech.pk, "pdf"])).status_code == 404


def test_unpublished_result_has_no_report_for_the_subject(world, results, client_for):
    a = results["2026Q3_appraisals"]["a_self"]
    a.published_at = None
    a.save()
    assert client_for("worker").get(reverse("insights:individual_report", args=[a.pk, "pdf"])).status_code == 404
    assert client_for("hr").get(reverse("insights:individual_report", args=[a.pk, "xlsx"])).status_code == 200


def test_individual_xlsx_tables(world, rated, client_for):
    response = client_for("worker").get(reverse("insights:individual_report", args=[rated.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[0][0] == "姓名" and first[1][0] == rated.subject_name and float(first[1][5]) == 75.0
    history = list(book.worksheets[-1].iter_rows(values_only=True))
    assert [r[0] for r in history[1:]] == ["2026Q2", "2026Q3"]


@needs_font
@pytest.mark.parametrize("kind", ["cycle", "department", "vendor"])
def test_group_reports_pdf(world, results, client_for, kind):
    q3 = results["2026Q3"]
    url = {"cycle": reverse("insights:cycle_report", args=[q3.pk, "pdf"]),
           "department": reverse("insights:department_report", args=[q3.pk, world.tech.pk, "pdf"]),
           "vendor": reverse("insights:vendor_report", args=[q3.pk, world.vendor_a.pk, "pdf"])}[kind]
    response = client_for("hr").get(url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert {"cycle": "周期汇总报告", "department": "部门绩效报告", "vendor": "服务商绩效报告"}[kind] in text
    if kind == "department":  # TECH: a_tech 85, b_tech 88 in the people table; not OPS people
        assert world.workers["b_tech"].name in text and world.workers["b_ops"].name not in text


def test_department_xlsx_people_table(world, results, client_for):
    q3 = results["2026Q3"]
    response = client_for("hr").get(reverse("insights:department_report", args=[q3.pk, world.tech.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    people = list(book.worksheets[-1].iter_rows(values_only=True))
    assert people[0][:2] == ("工号", "姓名")
    assert [p[1] for p in people[1:]] == [world.workers["b_tech"].name, world.workers["a_tech"].name]  # 88, 85


def test_vendor_report_scope(world, results, client_for):
    q3 = results["2026Q3"]
    own = client_for("vendor_manager").get(reverse("insights:vendor_report", args=[q3.pk, world.vendor_a.pk, "xlsx"]))
    assert own.status_code == 200
    other = client_for("vendor_manager").get(reverse("insights:vendor_report", args=[q3.pk, world.vendor_b.pk, "xlsx"]))
    assert other.status_code == 404
    assert client_for("worker").get(reverse("insights:cycle_report", args=[q3.pk, "xlsx"])).status_code == 404


def test_department_report_of_a_supervisor_holds_only_their_people(world, results, client_for):
    q3 = results["2026Q3"]
    response = client_for("supervisor").get(reverse("insights:department_report", args=[q3.pk, world.hq.pk, "xlsx"]))
    people = list(load_workbook(io.BytesIO(response.content)).worksheets[-1].iter_rows(values_only=True))[1:]
    assert {p[1] for p in people} == {world.workers[k].name for k in ("a_ops_cs", "a_self", "b_ops")}


@needs_font
def test_batch_generation_zips_what_the_requester_may_see(world, results, client_for, django_capture_on_commit_callbacks,
                                                          settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("vendor_manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:batch_reports", args=[results["2026Q3"].pk]))
    job = Job.objects.get(kind="batch_reports")
    assert response["Location"] == reverse("insights:job_detail", args=[job.pk])
    assert job.state == JobState.SUCCEEDED and job.result["count"] == 3
    download = client.get(reverse("insights:job_download", args=[job.pk]))
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert sorted(names) == sorted(f"{world.workers[k].employee_no}-{world.workers[k].name}.pdf"
                                   for k in ("a_ops_cs", "a_tech", "a_self"))
    # someone else cannot fetch it (the job is not theirs): 404
    assert client_for("supervisor").get(reverse("insights:job_download", args=[job.pk])).status_code == 404
    assert client_for("hr").get(reverse("insights:job_download", args=[job.pk])).status_code == 200


def test_batch_via_api(world, results, api_for, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("outperform.insights.reports.pdf.render_pdf", lambda template, context: b"%PDF-stub")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for("supervisor").post("/api/v1/reports/batch/", {"cycle": results["2026Q3"].pk}, format="json")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.state == JobState.SUCCEEDED and job.result["count"] == 3  # OPS subtree
    assert api_for("worker").post("/api/v1/reports/batch/", {"cycle": results["2026Q3"].pk},
                                  format="json").status_code == 404
    assert api_for("hr").post("/api/v1/reports/batch/", {"cycle": results["2026Q4"].pk},
                              format="json").status_code == 404  # no results yet


def test_reports_page_per_role(world, results, client_for):
    assert "2026Q3" in client_for("hr").get(reverse("insights:reports")).content.decode()
    worker_page = client_for("worker").get(reverse("insights:reports")).content.decode()
    assert reverse("insights:individual_report", args=[results["2026Q3_appraisals"]["a_self"].pk, "pdf"]) in worker_page
    pick = client_for("hr").get(reverse("insights:report_pick"), {"cycle": results["2026Q3"].pk,
                                                                    "vendor": world.vendor_a.pk, "fmt": "xlsx"})
    assert pick["Location"] == reverse("insights:vendor_report", args=[results["2026Q3"].pk, world.vendor_a.pk, "xlsx"])
