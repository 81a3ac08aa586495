"""Ingest: one IngestBatch per upload or push, the remembered column mappings, and the stored
responses of idempotent REST pushes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchOrigin(models.TextChoices):
    UPLOAD = "upload", _("文件上传")
    API = "api", _("接口推送")


class BatchState(models.TextChoices):
    UPLOADED = "uploaded", _("待映射")
    RUNNING = "running", _("处理中")
    VALIDATED = "validated", _("校验通过")
    INVALID = "invalid", _("有错误")
    COMMITTED = "committed", _("已提交")
    FAILED = "failed", _("失败")


class IngestBatch(models.Model):
    """One file (or one REST push) brought into one record source, and what became of it.

    The uploaded file is kept under `stored_name` until it is committed, so the dry run and the
    commit read exactly the same bytes (the hash proves it).
    """

    source = models.CharField(_("数据来源"), max_length=40, db_index=True)
    origin = models.CharField(_("方式"), max_length=10, choices=BatchOrigin.choices, default=BatchOrigin.UPLOAD)
    state = models.CharField(_("状态"), max_length=12, choices=BatchState.choices, default=BatchState.UPLOADED)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    file_hash = models.CharField(_("文件摘要"), max_length=64, blank=True, db_index=True)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    stored_name = models.CharField(max_length=120, blank=True, editable=False)
    headers = models.JSONField(_("文件表头"), default=list, blank=True)
    # {file header position (str): source column key}
    mapping = models.JSONField(_("列映射"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("变更"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # The first errors, as {"row", "column", "key", "value", "zh", "en"}; error_count is the total.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    header_errors = models.JSONField(default=list, blank=True)
    engine = models.CharField(_("处理方式"), max_length=10, blank=True)  # "generic" or "copy"
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    # Everyone sees the batches they started; admin, HR and the auditor see all.
    scope_paths = {"owner": "created_by"}

    class Meta:
        verbose_name = _("接入批次")
        verbose_name_plural = _("接入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk} {self.filename}".strip()

    @property
    def committed(self) -> bool:
        return self.state == BatchState.COMMITTED


class ColumnMapping(models.Model):
    """The mapping a user confirmed for one source and one set of file headers, offered again the
    next time a file with the same headers arrives for that source."""

    source = models.CharField(_("数据来源"), max_length=40)
    signature = models.CharField(max_length=64)  # sha256 of the normalised headers
    headers = models.JSONField(_("文件表头"), default=list)
    mapping = models.JSONField(_("列映射"), default=dict)  # {file header: source column key}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {"owner": "updated_by"}

    class Meta:
        verbose_name = _("列映射")
        verbose_name_plural = _("列映射")
        constraints = [models.UniqueConstraint(fields=["source", "signature"], name="ingest_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.signature[:8]}"


class IdempotentPush(models.Model):
    """A REST push remembered by its Idempotency-Key: the same key and body get the stored
    response again without writing; the same key with another body is a conflict."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    source = models.CharField(max_length=40)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"owner": "user"}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="ingest_push_key_unique")]

    def __str__(self) -> str:
        return self.key
