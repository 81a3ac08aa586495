"""The 数据接入 pages and the REST push, for every role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.ingest.models import BatchState, IngestBatch
from outperform.records.models import TaskRecord

from .helpers import csv_bytes, task_rows

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/ingest/task/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.INGEST_BACKGROUND_BYTES = 10 * 1024 * 1024


def record(world, i: int = 1, vendor: str = "a", **extra):  # type: ignore[no-untyped-def]
    v = world.vendor_a if vendor == "a" else world.vendor_b
    return {"external_id": f"API{i}", "title": "接口联调", "vendor": v.credit_code, "due_date": "2026-10-31",
            "delivered_date": "2026-10-30", "acceptance": "已验收", "rework_count": 0, **extra}


def test_upload_map_dry_run_commit_through_the_pages(world, client_for) -> None:  # type: ignore[no-untyped-def]
    web = client_for("hr")
    assert web.get(reverse("ingest:upload")).status_code == 200
    data = csv_bytes(task_rows(world, 3))
    response = web.post(reverse("ingest:upload"), {"source": "task", "file": SimpleUploadedFile("t.csv", data)})
    assert response.status_code == 302
    batch = IngestBatch.objects.get()
    page = web.get(response["Location"])
    assert page.status_code == 200
    assert "外部编号" in page.content.decode()
    form = {f"col_{i}": k for i, k in enumerate(["external_id", "title", "vendor", "worker", "project",
                                                  "department", "due_date", "delivered_date", "acceptance",
                                                  "rework_count"])}
    response = web.post(reverse("ingest:mapping", args=[batch.pk]), form)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == BatchState.VALIDATED
    assert TaskRecord.objects.count() == 0
    detail = web.get(reverse("ingest:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="commit-batch"' in detail
    assert web.post(reverse("ingest:run", args=[batch.pk]), {"action": "commit"}).status_code == 302
    batch.refresh_from_db()
    assert batch.state == BatchState.COMMITTED
    assert TaskRecord.objects.count() == 3
    listing = web.get(reverse("ingest:batches_list") + "?export=xlsx")
    assert listing.status_code == 200
    assert listing["Content-Type"].startswith("application/vnd.openxmlformats")


def test_mapping_page_says_what_is_missing(world, client_for) -> None:  # type: ignore[no-untyped-def]
    web = client_for("hr")
    web.post(reverse("ingest:upload"), {"source": "task", "file": SimpleUploadedFile("t.csv", csv_bytes(task_rows(world, 1)))})
    batch = IngestBatch.objects.get()
    response = web.post(reverse("ingest:mapping", args=[batch.pk]), {"col_0": "external_id"})
    assert response.status_code == 400
    assert "缺少必填列" in response.content.decode()


def test_errors_page_and_report(world, client_for) -> None:  # type: ignore[no-untyped-def]
    web = client_for("hr")
    rows = task_rows(world, 3)
    rows[1][9] = "-1"
    web.post(reverse("ingest:upload"), {"source": "task", "file": SimpleUploadedFile("t.csv", csv_bytes(rows))})
    batch = IngestBatch.objects.get()
    web.post(reverse("ingest:run", args=[batch.pk]), {"action": "dry_run"})
    page = web.get(reverse("ingest:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="batch-errors"' in page and "返工次数" in page
    report = web.get(reverse("ingest:errors", args=[batch.pk]))
    assert report.status_code == 200


def test_upload_refusal_is_explained(world, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("hr").post(reverse("ingest:upload"), {
        "source": "task", "file": SimpleUploadedFile("t.xlsx", b"not a workbook at all")})
    assert response.status_code == 400
    assert 'data-testid="upload-error"' in response.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "worker", "auditor", "nobody"])
def test_roles_without_ingest_get_403_page_and_404_api(world, client_for, api_for, role: str) -> None:  # type: ignore[no-untyped-def]
    assert client_for(role).get(reverse("ingest:upload")).status_code == 403
    assert api_for(role).post(PUSH, [record(world)], format="json").status_code == 404
    assert TaskRecord.objects.count() == 0


def test_batches_are_seen_by_their_owner_and_whole_viewers_only(world, client_for, api_for) -> None:  # type: ignore[no-untyped-def]
    api_for("vendor_manager").post(PUSH, [record(world)], format="json")
    batch = IngestBatch.objects.get()
    for role, visible in {"vendor_manager": True, "hr": True, "auditor": True, "system_admin": True,
                          "supervisor": False, "worker": False, "nobody": False}.items():
        web_status = client_for(role).get(reverse("ingest:batch", args=[batch.pk])).status_code
        api_status = api_for(role).get(f"/api/v1/ingest/batches/{batch.pk}/").status_code
        assert (web_status, api_status) == ((200, 200) if visible else (404, 404)), role


def test_push_writes_and_replays_with_idempotency_key(world, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for("hr")
    body = [record(world, 1), record(world, 2)]
    first = api.post(PUSH, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    audits = AuditLog.objects.count()
    stamps = dict(TaskRecord.objects.values_list("external_id", "updated_at"))
    again = api.post(PUSH, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["created"] == 2 and again.json()["replayed"] is True
    assert AuditLog.objects.count() == audits
    assert dict(TaskRecord.objects.values_list("external_id", "updated_at")) == stamps
    assert IngestBatch.objects.count() == 1
    other = api.post(PUSH, [record(world, 3)], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409
    assert TaskRecord.objects.count() == 2


def test_push_without_key_is_still_idempotent_by_external_id(world, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for("hr")
    api.post(PUSH, [record(world, 1)], format="json")
    again = api.post(PUSH, [record(world, 1)], format="json")
    assert again.json() | {"batch": 0} == {"batch": 0, "rows": 1, "created": 0, "updated": 0, "unchanged": 1}


def test_push_errors_by_index_and_field_and_nothing_written(world, api_for) -> None:  # type: ignore[no-untyped-def]
    body = [record(world, 1), record(world, 2, due_date="31/10/2026"), record(world, 3, rework_count=-2)]
    response = api_for("hr").post(PUSH, body, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "due_date"), (2, "rework_count")]
    assert TaskRecord.objects.count() == 0


def test_push_unknown_field_is_refused(world, api_for) -> None:  # type: ignore[no-untyped-def]
    response = api_for("hr").post(PUSH, [record(world, 1, colour="red")], format="json")
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_vendor_manager_push_is_refused_for_another_vendor_naming_the_row(world, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for("vendor_manager")
    response = api.post(PUSH, [record(world, 1), record(world, 2, vendor="b")], format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "vendor")]
    assert TaskRecord.objects.count() == 0
    assert api.post(PUSH, [record(world, 1)], format="json").status_code == 200
    assert TaskRecord.objects.get().vendor_id == world.vendor_a.pk


def test_batch_list_queries_do_not_grow_with_batches(world, client_for, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    IngestBatch.objects.bulk_create([IngestBatch(source="task", filename=f"f{i}.csv", created_by=hr) for i in range(40)])
    web = client_for("hr")
    web.get(reverse("ingest:batches_list"))  # warm the session and scope
    with django_assert_max_num_queries(8):
        response = web.get(reverse("ingest:batches_list") + "?per_page=50")
    assert response.status_code == 200
    assert response.content.decode().count("f3") >= 1


def test_upload_over_the_size_limit_is_refused(world, client_for, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTPERFORM_MAX_UPLOAD_BYTES = 100
    response = client_for("hr").post(reverse("ingest:upload"), {
        "source": "task", "file": SimpleUploadedFile("t.csv", csv_bytes(task_rows(world, 5)))})
    assert response.status_code == 400
    assert IngestBatch.objects.count() == 0
