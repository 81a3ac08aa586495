"""Excel export and import of whole templates (考核方案): layout, round trip, refusals, permissions."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from outperform.indicators import template_excel
from outperform.indicators.models import Template, TemplateStatus
from outperform.indicators.snapshot import template_snapshot

pytestmark = pytest.mark.django_db

EXPORT_URL = "/indicators/templates/{pk}/export.xlsx"
IMPORT_URL = "/indicators/templates/import/"
API_IMPORT = "/api/v1/templates/import/"
ROLES = ("system_admin", "hr", "supervisor", "vendor_manager", "worker", "auditor")


def _worker() -> Template:
    return Template.objects.get(code="TPL-WORKER", version=1)


def _exported(client: Any, template: Template) -> bytes:
    response = client.get(EXPORT_URL.format(pk=template.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _edit(data: bytes, sheet: str, edit: Any) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    edit(workbook[sheet])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(data: bytes, name: str = "tpl.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=template_excel.XLSX_CONTENT_TYPE)


def _comparable(snap: dict[str, Any]) -> dict[str, Any]:
    snap = dict(snap)
    snap["template"] = {k: v for k, v in snap["template"].items() if k not in {"id", "version"}}
    return snap


def test_export_layout(world, client_for):
    data = _exported(client_for("worker"), _worker())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["方案", "指标", "等级", "强制分布", "加减分项", "一票否决项"]
    settings = {row[0]: row[1] for row in workbook["方案"].iter_rows(min_row=2, values_only=True)}
    assert settings["方案编码"] == "TPL-WORKER" and settings["考核对象"] == "外包人员"
    assert settings["角色权重:上级"] == 60
    headers = [c.value for c in workbook["指标"][1]]
    assert headers == ["指标编码", "指标名称", "权重", "评分规则（覆盖，JSON）", "角色权重（覆盖，JSON）"]
    assert [c.value for c in workbook["等级"][1]][:3] == ["等级代码", "等级名称", "英文名称"]
    assert workbook["指标"].max_row == 8


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_can_export(world, client_for, api_for, role):
    template = _worker()
    assert client_for(role).get(EXPORT_URL.format(pk=template.pk)).status_code == 200
    response = api_for(role).get(f"/api/v1/templates/{template.pk}/export/")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_detail_page_has_export_button_and_list_has_import(world, client_for):
    template = _worker()
    page = client_for("worker").get(f"/indicators/templates/{template.pk}/").content.decode()
    assert EXPORT_URL.format(pk=template.pk) in page and "导出 Excel" in page
    assert IMPORT_URL in client_for("hr").get("/indicators/templates/").content.decode()
    assert IMPORT_URL not in client_for("worker").get("/indicators/templates/").content.decode()


def test_formula_text_is_neutralised(world, client_for):
    template = _worker()
    Template.objects.filter(pk=template.pk).update(description="=HYPERLINK(\"http://x\",\"y\")")
    template.adjustments.update(name="+cmd|' /C calc'!A0", description="@SUM(1)")
    data = _exported(client_for("hr"), template)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    settings = {row[0]: row[1] for row in workbook["方案"].iter_rows(min_row=2, values_only=True)}
    assert settings["说明"].startswith("'=")
    adjustment = next(workbook["加减分项"].iter_rows(min_row=2, values_only=True))
    assert adjustment[1].startswith("'+") and adjustment[3].startswith("'@")
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_round_trip_web_creates_new_version(world, client_for):
    v1 = _worker()
    client = client_for("hr")
    data = _exported(client, v1)
    preview = client.post(IMPORT_URL, {"file": _upload(data)})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    assert Template.objects.filter(code="TPL-WORKER").count() == 1  # the preview wrote nothing
    page = preview.content.decode()
    assert "v2" in page and "w_goal_achievement" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    confirmed = client.post(IMPORT_URL, {"token": token})
    assert confirmed.status_code == 302
    v2 = Template.objects.get(code="TPL-WORKER", version=2)
    assert v2.status == TemplateStatus.DRAFT and v2.previous_id == v1.pk and not v2.frozen
    assert confirmed["Location"].endswith(f"/indicators/templates/{v2.pk}/")
    assert _comparable(template_snapshot(v2)) == _comparable(template_snapshot(v1))
    assert v2.description == v1.description and v2.position_categories == v1.position_categories
    # The token was used up.
    assert client.post(IMPORT_URL, {"token": token}).status_code == 404


def test_round_trip_api_and_dry_run(world, api_for):
    v1 = _worker()
    api = api_for("hr")
    data = api.get(f"/api/v1/templates/{v1.pk}/export/").content
    dry = api.post(API_IMPORT, {"file": _upload(data), "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200 and dry.json()["template"]["template"]["version"] == 2
    assert Template.objects.filter(code="TPL-WORKER").count() == 1
    created = api.post(API_IMPORT, {"file": _upload(data)}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 2 and body["status"] == "draft" and body["previous"] == v1.pk
    v2 = Template.objects.get(pk=body["id"])
    assert _comparable(template_snapshot(v2)) == _comparable(template_snapshot(v1))


def test_new_code_is_version_one(world, api_for):
    data = api_for("hr").get(f"/api/v1/templates/{_worker().pk}/export/").content

    def rename(ws: Any) -> None:
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "方案编码":
                row[1].value = "TPL-IMPORTED"

    response = api_for("hr").post(API_IMPORT, {"file": _upload(_edit(data, "方案", rename))}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1 and response.json()["previous"] is None


def _total_before() -> tuple[int, int]:
    from outperform.core.models import AuditLog
    from outperform.indicators.models import TemplateIndicator

    return Template.objects.count() + TemplateIndicator.objects.count(), AuditLog.objects.count()


def test_weights_not_100_are_refused_and_nothing_written(world, client_for, api_for):
    data = _exported(client_for("hr"), _worker())

    def cut(ws: Any) -> None:
        ws["C2"].value = 20  # 30 → 20: the weights now add up to 90

    bad = _edit(data, "指标", cut)
    before = _total_before()
    response = api_for("hr").post(API_IMPORT, {"file": _upload(bad)}, format="multipart")
    assert response.status_code == 400
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "90" in messages
    assert _total_before() == before
    page = client_for("hr").post(IMPORT_URL, {"file": _upload(bad)})
    assert page.status_code == 400 and "90" in page.content.decode() and 'name="token"' not in page.content.decode()
    assert _total_before() == before


def test_unknown_indicator_names_sheet_and_row(world, client_for, api_for):
    data = _exported(client_for("hr"), _worker())
    bad = _edit(data, "指标", lambda ws: setattr(ws["A4"], "value", "NO_SUCH_INDICATOR"))
    before = _total_before()
    response = api_for("hr").post(API_IMPORT, {"file": _upload(bad)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["sheet"] == "指标" and e["row"] == 4 and e["column"] == "指标编码"
               and "NO_SUCH_INDICATOR" in e["message_zh"] for e in errors), errors
    assert "第 4 行" in errors[0]["message"] and "row 4" in errors[0]["message"]
    page = client_for("hr").post(IMPORT_URL, {"file": _upload(bad)}).content.decode()
    assert "NO_SUCH_INDICATOR" in page and "指标" in page
    assert _total_before() == before


def test_cell_errors_name_sheet_row_and_column(world, api_for):
    data = api_for("hr").get(f"/api/v1/templates/{_worker().pk}/export/").content
    bad = _edit(data, "等级", lambda ws: setattr(ws["D3"], "value", "abc"))
    response = api_for("hr").post(API_IMPORT, {"file": _upload(bad)}, format="multipart")
    assert response.status_code == 400
    assert any(e["sheet"] == "等级" and e["row"] == 3 and e["column"] == "最低分" for e in response.json()["errors"])


def test_not_a_workbook_is_refused(world, api_for):
    response = api_for("hr").post(API_IMPORT, {"file": _upload(b"hello", "x.xlsx")}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"]


@pytest.mark.parametrize("role", ["supervisor", "vendor_manager", "worker", "auditor"])
def test_import_is_hr_and_admin_only(world, client_for, api_for, role):
    data = api_for("hr").get(f"/api/v1/templates/{_worker().pk}/export/").content
    client = client_for(role)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": _upload(data)}).status_code == 403
    assert api_for(role).post(API_IMPORT, {"file": _upload(data)}, format="multipart").status_code == 403
    assert Template.objects.filter(code="TPL-WORKER").count() == 1


@pytest.mark.parametrize("role", ["system_admin", "hr"])
def test_import_page_opens_for_writers(world, client_for, role):
    assert client_for(role).get(IMPORT_URL).status_code == 200


def test_confirm_token_belongs_to_its_user(world, client_for):
    data = _exported(client_for("hr"), _worker())
    page = client_for("hr").post(IMPORT_URL, {"file": _upload(data)}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client_for("system_admin").post(IMPORT_URL, {"token": token}).status_code == 404
    assert client_for("hr").post(IMPORT_URL, {"token": "not-a-uuid"}).status_code == 404
