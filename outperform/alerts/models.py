"""预警 (alerts): configurable rules, evaluated on a schedule and when data arrives, and the alerts
they raise. An alert is deduplicated (one open alert per rule and condition), has a severity and
an owner, and is acknowledged and resolved with a note; every change is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    CRITICAL = "critical", _("严重")


SEVERITY_ORDER = [Severity.INFO, Severity.WARNING, Severity.CRITICAL]


def escalated(severity: str) -> str:
    i = SEVERITY_ORDER.index(Severity(severity))
    return SEVERITY_ORDER[min(i + 1, len(SEVERITY_ORDER) - 1)].value


class OwnerMode(models.TextChoices):
    USER = "user", _("指定人员")
    SUPERVISOR = "supervisor", _("对象的直属上级/部门负责人")
    VENDOR_MANAGER = "vendor_manager", _("对象所属服务商管理员")
    RECORD_OWNER = "record_owner", _("记录负责人（如改进计划负责人）")


class RuleStatus(models.TextChoices):
    NEVER = "never", _("尚未评估")
    OK = "ok", _("正常")
    SOURCE_MISSING = "source_missing", _("数据源未安装")
    ERROR = "error", _("出错")


class AlertRule(TimeStamped):
    name = models.CharField(_("规则名称"), max_length=120, unique=True)
    kind = models.CharField(_("规则类型"), max_length=40, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    owner_mode = models.CharField(_("负责人"), max_length=20, choices=OwnerMode.choices, default=OwnerMode.USER)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指定负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("“指定人员”时必填；其他方式找不到负责人时也由此人负责"))
    channels = models.ManyToManyField("notifications.Channel", verbose_name=_("通知渠道"), blank=True,
                                      related_name="alert_rules",
                                      help_text=_("新预警发往这些群机器人/邮箱；负责人另按个人通知设置收到"))
    department = models.ForeignKey("org.Department", verbose_name=_("范围：部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", help_text=_("含下级部门；空为全部"))
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("范围：服务商"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", help_text=_("空为全部"))
    enabled = models.BooleanField(_("启用"), default=True)
    auto_resolve = models.BooleanField(_("条件解除后自动关闭"), default=True)
    last_evaluated_at = models.DateTimeField(_("最近评估时间"), null=True, blank=True)
    last_status = models.CharField(_("评估状态"), max_length=20, choices=RuleStatus.choices, default=RuleStatus.NEVER)
    last_message = models.CharField(_("评估说明"), max_length=300, blank=True)

    # Rules are configuration: admin and HR write them; the auditor reads them.
    scope_paths: dict[str, str] = {}

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        from .kinds import get_kind

        kind = get_kind(self.kind)
        return str(kind.label) if kind else self.kind

    def clean(self) -> None:
        from .kinds import ParamsError, params_json, validate_params

        try:
            self.params = params_json(validate_params(self.kind, self.params))
        except ParamsError as exc:
            if "kind" in exc.errors:
                raise ValidationError({"kind": exc.errors["kind"]}) from None
            raise ValidationError({"params": [f"{k}: {v}" for k, v in exc.errors.items()]}) from None
        if self.owner_mode == OwnerMode.USER and not self.owner_id:
            raise ValidationError({"owner": _("负责人方式为“指定人员”时须选择负责人 / Choose the owner")})


class AlertState(models.TextChoices):
    OPEN = "open", _("未处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已解决")


OPEN_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, verbose_name=_("预警规则"), on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("规则类型"), max_length=40, db_index=True)
    dedup_key = models.CharField(_("去重键"), max_length=200)
    state = models.CharField(_("状态"), max_length=15, choices=AlertState.choices, default=AlertState.OPEN,
                             db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_alerts")
    title = models.CharField(_("标题"), max_length=200)
    message = models.TextField(_("说明"), blank=True)
    subject = models.CharField(_("对象"), max_length=200, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    vendor = models.ForeignKey("vendors.Vendor", verbose_name=_("服务商"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对象账号"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    first_seen_at = models.DateTimeField(_("首次发现"))
    last_seen_at = models.DateTimeField(_("最近发现"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    ack_note = models.TextField(_("确认说明"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("解决人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolve_note = models.TextField(_("解决说明"), blank=True)

    # Supervisors see alerts about their departments, vendor managers about their vendor, and
    # anyone the alerts they own; workers are not shown alerts (their reminders are in the inbox).
    scope_paths = {"department": "department", "vendor": "vendor", "owner": "owner"}
    write_scopes = ("department", "vendor", "owner")

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            # One open alert per rule and condition; once resolved the same condition may raise anew.
            models.UniqueConstraint(fields=["rule", "dedup_key"], name="unique_open_alert",
                                    condition=models.Q(state__in=["open", "acknowledged"])),
        ]
        indexes = [models.Index(fields=["rule", "state"]), models.Index(fields=["state", "severity"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
