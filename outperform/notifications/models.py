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
    ALERT = "alert", _("预警")
    PLAN_MILESTONE_DUE = "plan_milestone_due", _("改进计划里程碑即将到期")
    PLAN_MILESTONE_OVERDUE = "plan_milestone_overdue", _("改进计划里程碑已逾期")
    PLAN_DEADLINE_DUE = "plan_deadline_due", _("改进计划即将到期")
    RECTIFICATION_ISSUED = "rectification_issued", _("整改通知已下发")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("整改通知已逾期")
    PEER_CHOICE_DUE = "peer_choice_due", _("待指定互评人")


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


# --- outgoing channels: e-mail and group-bot webhooks, with a delivery log ---------------------


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")


BOT_KINDS = (ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU)


class Channel(models.Model):
    """A group destination: a bot webhook (WeCom, DingTalk, Feishu) or a shared mailbox.

    The webhook URL carries the bot's credential (key / access_token) and `secret` is the signing
    secret, so both are write-only in pages and the API (shown masked) and stored masked in the
    audit log (they are listed in PERSONAL_FIELDS, which the audit snapshot masks)."""

    PERSONAL_FIELDS = ("webhook_url", "secret")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=ChannelKind.choices)
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500, blank=True)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True,
                              help_text=_("钉钉“加签”或飞书“签名校验”的密钥；企业微信不需要"))
    email_to = models.CharField(_("收件地址"), max_length=500, blank=True,
                                help_text=_("电子邮件渠道：多个地址以逗号分隔"))
    enabled = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Configuration of the organisation: admin and HR manage it, the auditor reads it (masked).
    scope_paths: dict[str, str] = {}

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        if self.kind in BOT_KINDS:
            if not self.webhook_url:
                raise ValidationError({"webhook_url": _("群机器人渠道须填写 Webhook 地址 / A bot channel needs its webhook URL")})
            if not self.webhook_url.lower().startswith(("https://", "http://")):
                raise ValidationError({"webhook_url": _("Webhook 地址须以 http(s):// 开头 / The webhook URL must be http(s)")})
            if self.kind == ChannelKind.WECOM and self.secret:
                raise ValidationError({"secret": _("企业微信群机器人没有签名密钥 / WeCom bots have no signing secret")})
        if self.kind == ChannelKind.EMAIL:
            addresses = self.email_addresses()
            if not addresses:
                raise ValidationError({"email_to": _("电子邮件渠道须填写收件地址 / An e-mail channel needs an address")})
            for address in addresses:
                try:
                    validate_email(address)
                except ValidationError:
                    raise ValidationError(
                        {"email_to": _("无效的邮件地址：%(a)s / Not an e-mail address: %(a)s") % {"a": address}}
                    ) from None

    def email_addresses(self) -> list[str]:
        return [a.strip() for a in self.email_to.replace("；", ",").replace(";", ",").split(",") if a.strip()]

    @property
    def webhook_url_masked(self) -> str:
        return mask_url(self.webhook_url)

    @property
    def secret_masked(self) -> str:
        return mask_secret(self.secret)


def mask_secret(value: str) -> str:
    """SECa****9f0c: enough to tell two secrets apart, not enough to use one."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}****{value[-4:]}"


def mask_url(value: str) -> str:
    """A webhook URL with its credential (query string, last path segment) masked."""
    if not value:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    head, _sep, last = parts.path.rpartition("/")
    path = f"{head}/{mask_secret(last)}" if parts.query == "" and last else parts.path
    query = "****" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")


class PersonalChannel(models.TextChoices):
    INAPP = "inapp", _("站内信")
    EMAIL = "email", _("电子邮件")


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification on one personal channel. No row means the
    default: in-app on, e-mail on for alerts only (see `preference_defaults`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("通知类型"), max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=PersonalChannel.choices)
    enabled = models.BooleanField(_("接收"), default=True)

    scope_paths = {"owner": "user"}

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="unique_notification_pref")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.channel}: {self.enabled}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """投递记录: one message to one destination (a person's mailbox or a group channel), with
    its attempts. A failed attempt that may succeed later (network error, HTTP 5xx or 429) is retried
    with exponential backoff until `max_attempts`."""

    notification = models.ForeignKey(Notification, verbose_name=_("站内通知"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="deliveries")
    channel = models.ForeignKey(Channel, verbose_name=_("渠道"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deliveries")
    channel_kind = models.CharField(_("渠道类型"), max_length=10, choices=ChannelKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    target = models.CharField(_("目标"), max_length=500, help_text=_("邮件地址或已遮盖的 Webhook 地址"))
    kind = models.CharField(_("通知类型"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What and to whom, e.g. "alert:12:channel:3": the same message is never queued twice.
    dedupe_key = models.CharField(_("去重键"), max_length=160, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试"), default=5)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    response_excerpt = models.CharField(_("响应摘要"), max_length=500, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    # The delivery log is read by admin, HR and the auditor; people see their own e-mails' rows.
    scope_paths = {"owner": "recipient"}

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_kind_display()} → {self.target}: {self.title}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, what came back, and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    ok = models.BooleanField(_("成功"), default=False)
    response_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    response_excerpt = models.CharField(_("响应摘要"), max_length=500, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.response_code or self.error}"
