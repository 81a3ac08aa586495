"""站内通知 (in-app notifications): reminders before deadlines and for overdue raters.

A notification belongs to one user and only that user reads it. `scope_paths` declares the
"owner" kind, but `restrict` lets whole-view roles (admin, HR, auditor) see every row of every
model, and an inbox is not organisation data: HR does not read other people's inboxes. So the
selectors and the API filter on `user=request.user` explicitly instead of going through `restrict`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    EVALUATION_DUE_SOON = "evaluation_due_soon", _("评价即将截止")
    EVALUATION_OVERDUE = "evaluation_overdue", _("评价已逾期")
    GOALS_DUE_SOON = "goals_due_soon", _("目标设定即将截止")
    APPEAL_OPEN = "appeal_open", _("申诉待处理")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("类型"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # What the notification is about and for which day, e.g. "evaluation_overdue:42:2026-12-01";
    # unique per user, so sending reminders twice the same day creates nothing new.
    dedupe_key = models.CharField(_("去重键"), max_length=120)

    scope_paths = {"owner": "user"}

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="unique_notification_dedupe")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
