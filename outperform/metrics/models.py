"""Metrics (数据指标): named aggregations over records, defined as data (docs/metrics.md).

A metric's `code` is what a quantitative indicator names in `Indicator.metric`; `metrics_refresh`
writes its value for every appraisal of a running cycle into `cycles.MetricValue`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outperform.core.models import TimeStamped

from . import spec as ms


class Aggregation(models.TextChoices):
    COUNT = "count", _("计数")
    SUM = "sum", _("求和")
    MEAN = "mean", _("平均值")
    RATIO = "ratio", _("比率（两个计数之比）")
    PERCENTILE = "percentile", _("百分位数")
    ACTIVE_AVG = "active_avg", _("期初期末平均数（在岗类数据源）")
    FORMULA = "formula", _("公式（基于其他数据指标）")


class SubjectLevel(models.TextChoices):
    VENDOR = "vendor", _("服务商")
    WORKER = "worker", _("外包人员")
    PROJECT = "project", _("项目")
    DEPARTMENT = "department", _("部门")


validate_code = RegexValidator(
    r"^[a-z][a-z0-9_]{0,59}$",
    _("编码用小写字母、数字和下划线，以字母开头 / Lower-case letters, digits and _, starting with a letter"),
)


class Metric(TimeStamped):
    code = models.CharField(_("指标编码"), max_length=60, unique=True, validators=[validate_code],
                            help_text=_("与考核指标的「数据指标」一致，例如 on_time_rate"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("数据源"), max_length=40, blank=True, help_text=_("公式指标留空"))
    aggregation = models.CharField(_("汇总方式"), max_length=12, choices=Aggregation.choices)
    field = models.CharField(_("汇总字段"), max_length=60, blank=True,
                             help_text=_("求和、平均、百分位时必填"))
    percentile = models.DecimalField(_("百分位 P"), max_digits=5, decimal_places=2, null=True, blank=True,
                                     help_text=_("0–100，例如 90 表示 P90"))
    filters = models.JSONField(_("筛选条件"), default=list, blank=True)
    numerator = models.JSONField(_("分子条件"), default=list, blank=True)
    scale = models.DecimalField(_("倍数"), max_digits=12, decimal_places=4, default=Decimal(1),
                                help_text=_("结果乘以该数，比率填 100 即为百分比"))
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    levels = models.JSONField(_("适用对象"), default=list, blank=True,
                              help_text=_("可按哪些对象计算；留空表示数据源支持的全部"))
    empty_as_zero = models.BooleanField(
        _("无记录记为 0"), default=False,
        help_text=_("仅计数/求和：期间内没有记录表示 0 次（如安全事故），否则为「不适用」"))
    expression = models.TextField(
        _("公式"), blank=True,
        help_text=_("仅公式指标：用其他数据指标的编码计算，例如 complaint_count / tasks_done * 1000；"
                    "可用 + - * /、括号、数字及 min、max、abs、round"))
    is_active = models.BooleanField(_("启用"), default=True)
    is_builtin = models.BooleanField(_("内置"), default=False, editable=False)

    # Definitions are reference data: every signed-in role may read them.
    scope_paths = {"department": "*", "vendor": "*", "self": "*"}

    class Meta:
        verbose_name = _("数据指标")
        verbose_name_plural = _("数据指标")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def spec(self) -> ms.MetricSpec:
        return ms.MetricSpec(
            code=self.code, source=self.source, aggregation=self.aggregation, field=self.field or "",
            percentile=self.percentile, filters=ms.parse_conditions(self.filters),
            numerator=ms.parse_conditions(self.numerator), scale=self.scale if self.scale is not None else Decimal(1),
            empty_as_zero=self.empty_as_zero, expression=self.expression or "",
        )

    @property
    def is_formula(self) -> bool:
        return self.aggregation == Aggregation.FORMULA

    def allowed_levels(self) -> list[str]:
        """Levels the metric may be computed for; a formula's read its parts (queries the definitions)."""
        from .sources import source_levels

        if self.is_formula:
            from .formulas import allowed_levels, definitions

            return allowed_levels(self, definitions())
        available = source_levels(self.source)
        return [lv for lv in (self.levels or available) if lv in available]

    # Set by the Excel import, which checks the references of every formula once all its rows are
    # written (a formula may name a metric further down the same file): see importers.py.
    defer_references = False

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self._clean_code_in_use(errors)
        if self.is_formula:
            self._clean_formula(errors)
        else:
            self._clean_records(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_code_in_use(self, errors: dict[str, Any]) -> None:
        """A formula names its parts by code: renaming one would leave the formula reading nothing."""
        if self.pk is None:
            return
        from .formulas import referrers

        stored = Metric.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if stored is not None and stored != self.code:
            users = referrers(stored)
            if users:
                errors["code"] = _("公式指标 %(m)s 引用了编码 %(c)s，不能修改 / Formula metrics %(m)s use the code "
                                   "%(c)s; it cannot change") % {"m": "、".join(users), "c": stored}

    def _clean_formula(self, errors: dict[str, Any]) -> None:
        from .formulas import definitions, parts_levels, problems

        unused = {
            "source": bool(self.source), "field": bool(self.field), "percentile": self.percentile is not None,
            "filters": bool(self.filters), "numerator": bool(self.numerator), "empty_as_zero": self.empty_as_zero,
        }
        for name, present in unused.items():
            if present:
                errors[name] = _("公式指标不使用此项，请留空 / A formula metric does not use this; leave it empty")
        if self.scale is not None and self.scale != 1:
            errors["scale"] = _("公式指标的倍数请写进公式（如 * 100） / Put a formula metric's scale in its "
                                "expression (e.g. * 100)")
        if not isinstance(self.levels, list) or any(lv not in SubjectLevel.values for lv in self.levels):
            errors["levels"] = _("适用对象只能是 vendor、worker、project、department / Levels: vendor, worker, "
                                 "project, department")
        try:
            ms.parse_formula(self.expression or "")
        except ms.SpecError as exc:
            errors["expression"] = exc.errors["expression"]
            return
        if self.defer_references or "levels" in errors:
            return
        defs = definitions()
        found = problems(self, defs)
        if found:
            errors["expression"] = found
            return
        available = parts_levels(self, defs)
        outside = [lv for lv in self.levels if lv not in available]
        if outside:
            errors["levels"] = _("组成指标不能按 %(bad)s 计算（可选：%(ok)s） / The parts are not computed for "
                                 "%(bad)s (choose from: %(ok)s)") % {"bad": ", ".join(outside),
                                                                     "ok": ", ".join(available)}

    def _clean_records(self, errors: dict[str, Any]) -> None:
        from .sources import get_source, is_lasting, source_fields, source_levels

        if self.expression:
            errors["expression"] = _("只有公式指标使用公式 / Only a formula metric has an expression")
        if not self.source:
            errors["source"] = _("请选择数据源 / Choose a record source")
            return
        try:
            get_source(self.source)
        except KeyError:
            errors["source"] = _("没有这个数据源 / No such record source: %s") % self.source
            return
        if not isinstance(self.levels, list) or any(lv not in SubjectLevel.values for lv in self.levels):
            errors["levels"] = _("适用对象只能是 vendor、worker、project、department / Levels: vendor, worker, "
                                 "project, department")
        try:
            spec = self.spec()
        except ValueError as exc:
            errors["filters"] = str(exc)
            return
        try:
            ms.validate(spec, source_fields(self.source), source_levels(self.source),
                       self.levels if isinstance(self.levels, list) else [], lasting=is_lasting(self.source))
        except ms.SpecError as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, messages)
