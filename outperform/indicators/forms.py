"""Forms of the indicator library and the template editor.

Rules, rater roles and behaviour anchors are JSON in the model; people edit them through plain
fields here (a rule type and its numbers, check boxes, one row per anchor) and the form turns them
back into JSON. The checks themselves live in `validation` and the services, shared with the API.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from outperform import scoring
from outperform.org.models import PositionCategory
from outperform.vendors.models import VendorCategory

from .models import (
    AdjustmentItem,
    Dimension,
    Direction,
    GradeBand,
    Indicator,
    IndicatorType,
    Quota,
    RaterRole,
    Template,
    TemplateIndicator,
    VetoItem,
)
from .services import normalise_weights
from .validation import canonical_rule, check_levels, formula_pointer

LEVEL_ROWS = 7

RULE_TYPES = (
    ("", _("—")),
    ("linear", _("线性（下限→0 分，目标值→100 分）")),
    ("bands", _("分段（数值区间→固定得分）")),
    ("deduction", _("扣分（每发生一次扣 N 分）")),
    ("formula", _("公式（基于数据指标计算）")),
)

# Which form field carries the error of each rule type, so the message sits under what to fix.
RULE_ERROR_FIELD = {"linear": "linear_floor", "bands": "bands_text", "deduction": "deduction_per_event",
                    "formula": "formula_expression", "": "rule_type"}


class DimensionForm(forms.ModelForm):
    class Meta:
        model = Dimension
        fields = ["code", "name", "name_en", "order"]


def _dec(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(required=False, max_digits=20, decimal_places=6, **kwargs)


def bands_to_text(bands: list[dict[str, Any]]) -> str:
    return "\n".join(f"{b.get('lower') or ''}, {b.get('upper') or ''}, {b['score']}" for b in bands)


def bands_from_text(text: str) -> list[dict[str, Any]]:
    """One band per line: "lower, upper, score"; an empty end is open. JSON is accepted too."""
    text = text.strip()
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            raise ValidationError(_("JSON 格式有误 / The JSON is malformed")) from None
        if not isinstance(data, list):
            raise ValidationError(_("应为分段列表 / A list of bands is expected"))
        return data
    bands = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise ValidationError(
                _("第 %(n)d 行应为“下限, 上限, 得分”三项 / Line %(n)d must be “lower, upper, score”") % {"n": number})
        lower, upper, score = (p or None for p in parts)
        bands.append({"lower": lower, "upper": upper, "score": score})
    return bands


class IndicatorForm(forms.ModelForm):
    rater_roles = forms.MultipleChoiceField(
        label=_("评价角色"), choices=RaterRole.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("定性指标：哪些角色为该指标打分 / Qualitative: which rater roles rate this indicator"),
    )
    rule_type = forms.ChoiceField(label=_("评分规则"), choices=RULE_TYPES, required=False)
    linear_floor = _dec(label=_("下限（得 0 分）"))
    linear_target = _dec(label=_("目标值（得 100 分）"))
    bands_text = forms.CharField(
        label=_("分段"), required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace"}),
        help_text=_("每行一段：下限, 上限, 得分（区间含下限不含上限，留空表示不限），如“95, 98, 80” / "
                    "One band a line: lower, upper, score ([lower, upper); leave an end empty for open)"),
    )
    deduction_per_event = _dec(label=_("每次扣分"))
    deduction_start = _dec(label=_("起始分"), initial=Decimal(100))
    deduction_minimum = _dec(label=_("最低分"), initial=Decimal(0))
    formula_expression = forms.CharField(
        label=_("公式"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        help_text=_("value 为本指标数据值，可引用其他数据指标；函数 min max abs round if coalesce。"
                    "如 value / tasks_assigned * 100 / value is this indicator's metric"),
    )

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "dimension", "kind", "subject_kind", "unit", "direction", "metric",
                  "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.formula_pointer: str | None = None
        for i in range(LEVEL_ROWS):
            self.fields[f"level_{i}_score"] = forms.DecimalField(
                label=_("分数"), required=False, min_value=Decimal(0), max_value=Decimal(100), decimal_places=2)
            self.fields[f"level_{i}_label"] = forms.CharField(label=_("等级"), required=False, max_length=20)
            self.fields[f"level_{i}_description"] = forms.CharField(
                label=_("行为描述"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 1}))
        instance = self.instance
        if instance.pk and not self.is_bound:
            self.initial["rater_roles"] = list(instance.rater_roles or [])
            self._initial_rule(instance.rule or {})
            for i, level in enumerate((instance.levels or [])[:LEVEL_ROWS]):
                self.initial[f"level_{i}_score"] = level.get("score")
                self.initial[f"level_{i}_label"] = level.get("label")
                self.initial[f"level_{i}_description"] = level.get("description")
        elif not self.is_bound:
            self.initial.setdefault("kind", IndicatorType.QUALITATIVE)
            for i, (score, label) in enumerate(((100, "卓越"), (85, "良好"), (70, "合格"), (55, "待改进"), (40, "不合格"))):
                self.initial[f"level_{i}_score"] = score
                self.initial[f"level_{i}_label"] = label

    def _initial_rule(self, rule: dict[str, Any]) -> None:
        kind = rule.get("type", "")
        self.initial["rule_type"] = kind
        if kind == "linear":
            self.initial.update(linear_floor=rule["floor"], linear_target=rule["target"])
        elif kind == "bands":
            self.initial["bands_text"] = bands_to_text(rule["bands"])
        elif kind == "deduction":
            self.initial.update(deduction_per_event=rule["per_event"], deduction_start=rule.get("start"),
                                deduction_minimum=rule.get("minimum"))
        elif kind == "formula":
            self.initial["formula_expression"] = rule["expression"]

    def level_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"level_{i}_score"], self[f"level_{i}_label"], self[f"level_{i}_description"])
                for i in range(LEVEL_ROWS)]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields]

    def _rule_from_fields(self, data: dict[str, Any]) -> dict[str, Any] | None:
        kind = data.get("rule_type") or ""

        def need(name: str) -> str:
            value = data.get(name)
            if value is None:
                raise ValidationError({name: _("必填 / Required")})
            return str(value)

        if kind == "linear":
            return {"type": "linear", "floor": need("linear_floor"), "target": need("linear_target"),
                    "direction": "lower_is_better" if data.get("direction") == Direction.LOWER
                    else "higher_is_better"}
        if kind == "bands":
            try:
                bands = bands_from_text(data.get("bands_text") or "")
            except ValidationError as exc:
                raise ValidationError({"bands_text": exc.messages}) from None
            return {"type": "bands", "bands": bands}
        if kind == "deduction":
            rule = {"type": "deduction", "per_event": need("deduction_per_event")}
            for key in ("start", "minimum"):
                if data.get(f"deduction_{key}") is not None:
                    rule[key] = str(data[f"deduction_{key}"])
            return rule
        if kind == "formula":
            return {"type": "formula", "expression": data.get("formula_expression") or ""}
        return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        instance = self.instance
        if kind == IndicatorType.QUANTITATIVE:
            # Check boxes hidden by the page still post; a quantitative indicator has no raters.
            instance.rater_roles = []
            try:
                rule = self._rule_from_fields(data)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
                return data
            target = RULE_ERROR_FIELD.get(data.get("rule_type") or "", "rule_type")
            try:
                instance.rule = canonical_rule(
                    rule, kind=kind, direction=data.get("direction") or Direction.HIGHER,
                    error=lambda message: ValidationError({target: message}))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
                self._point_at_formula(rule)
        else:
            instance.rule = None
            instance.rater_roles = list(data.get("rater_roles") or [])
        levels = [
            {"score": data.get(f"level_{i}_score"), "label": data.get(f"level_{i}_label") or "",
             "description": data.get(f"level_{i}_description") or ""}
            for i in range(LEVEL_ROWS)
            if data.get(f"level_{i}_label") or data.get(f"level_{i}_description")
        ]
        try:
            instance.levels = check_levels([{**lv, "score": "" if lv["score"] is None else str(lv["score"])}
                                            for lv in levels])
        except ValidationError as exc:
            self.add_error(None, exc.messages)
        return data

    def _point_at_formula(self, rule: dict[str, Any] | None) -> None:
        if not rule or rule.get("type") != "formula":
            return
        try:
            scoring.parse(rule["expression"], expect="number")
        except scoring.FormulaError as exc:
            self.formula_pointer = formula_pointer(rule["expression"], exc.position)


class TemplateForm(forms.ModelForm):
    position_categories = forms.MultipleChoiceField(
        label=_("适用岗位类别"), choices=PositionCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("开周期时，这些岗位类别的人员使用本方案（默认方案不必填） / Workers of these position categories "
                    "use this template"),
    )
    vendor_categories = forms.MultipleChoiceField(
        label=_("适用服务商类别"), choices=VendorCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Template
        fields = ["code", "name", "subject_kind", "description", "grading", "distribution_group", "min_group_size",
                  "adjustment_cap", "bonus_mode", "team_mode", "comment_below", "comment_above",
                  "anonymity_min_raters", "position_categories", "vendor_categories"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code names every version of the template; it is fixed at creation.
            self.fields["code"].disabled = True
        weights = self.instance.role_weights or {}
        for role, label in RaterRole.choices:
            self.fields[f"rw_{role}"] = forms.DecimalField(
                label=label, required=False, min_value=Decimal(0), max_value=Decimal(100), decimal_places=2,
                initial=weights.get(role),
            )

    def role_weight_fields(self) -> list[forms.BoundField]:
        return [self[f"rw_{role}"] for role in RaterRole.values]

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields if name not in {"position_categories", "vendor_categories"}]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        weights = {role: data.get(f"rw_{role}") for role in RaterRole.values if data.get(f"rw_{role}") is not None}
        try:
            self.instance.role_weights = normalise_weights(weights, "role_weights")
        except ValidationError as exc:
            self.add_error(None, exc.messages)
        return data


class _RowForm(forms.ModelForm):
    def validate_unique(self) -> None:
        # Rows are replaced wholesale on save; duplicates among the submitted rows are checked by the
        # formset and the service, and the rows in the database are about to be deleted anyway.
        return


class IndicatorChoiceField(forms.ChoiceField):
    """Indicator choices computed once per page, not once per row (a template has dozens)."""

    def __init__(self, indicators: dict[str, Indicator], **kwargs: Any) -> None:
        self.indicators = indicators
        choices = [("", "—")] + [(str(pk), f"{i.code} {i.name}") for pk, i in indicators.items()]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value: Any) -> Indicator | None:
        value = super().clean(value)
        return self.indicators.get(str(value)) if value else None

    def prepare_value(self, data: Any) -> Any:
        return getattr(data, "pk", data)


class TemplateIndicatorForm(_RowForm):
    rule_json = forms.CharField(
        label=_("评分规则（覆盖）"), required=False,
        widget=forms.Textarea(attrs={"rows": 1, "class": "font-monospace"}),
        help_text=_("留空则用指标库中的规则；JSON，如 {\"type\": \"linear\", \"floor\": \"70\", \"target\": \"100\"} / "
                    "empty: the library's rule"),
    )
    role_weights_text = forms.CharField(
        label=_("评价角色权重（覆盖）"), required=False,
        help_text=_("留空则用方案的角色权重；如 supervisor:70, self:30 / empty: the template's role weights"),
    )

    class Meta:
        model = TemplateIndicator
        fields = ["indicator", "weight", "order"]
        widgets = {"weight": forms.NumberInput(attrs={"step": "0.01", "data-weight": "1"}),
                   "order": forms.NumberInput(attrs={"style": "width:5rem"})}

    def __init__(self, *args: Any, indicators: dict[str, Indicator] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"] = IndicatorChoiceField(indicators or {}, label=_("考核指标"))
        if self.instance.pk and not self.is_bound:
            if self.instance.rule:
                self.initial["rule_json"] = json.dumps(self.instance.rule, ensure_ascii=False)
            if self.instance.role_weights:
                self.initial["role_weights_text"] = ", ".join(f"{r}:{w}" for r, w in self.instance.role_weights.items())

    def clean_rule_json(self) -> dict[str, Any] | None:
        raw = (self.cleaned_data.get("rule_json") or "").strip()
        if not raw:
            return None
        try:
            rule = json.loads(raw)
        except ValueError:
            raise ValidationError(_("JSON 格式有误 / The JSON is malformed")) from None
        if not isinstance(rule, dict):
            raise ValidationError(_("应为 JSON 对象 / A JSON object is expected"))
        return rule

    def clean_role_weights_text(self) -> dict[str, str] | None:
        raw = (self.cleaned_data.get("role_weights_text") or "").strip()
        if not raw:
            return None
        weights: dict[str, str] = {}
        for part in raw.replace("，", ",").split(","):
            if not part.strip():
                continue
            role, sep, weight = part.replace("：", ":").partition(":")
            if not sep:
                raise ValidationError(_("格式应为 角色:权重 / Write role:weight"))
            weights[role.strip()] = weight.strip()
        try:
            return normalise_weights(weights, "role_weights_text")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        indicator = data.get("indicator")
        rule = data.get("rule_json")
        self.instance.role_weights = data.get("role_weights_text")
        self.instance.rule = None
        if indicator is not None and rule:
            try:
                self.instance.rule = canonical_rule(rule, kind=indicator.kind, direction=indicator.direction)
            except ValidationError as exc:
                self.add_error("rule_json", exc.messages)
        return data


class GradeBandForm(_RowForm):
    class Meta:
        model = GradeBand
        fields = ["code", "name", "name_en", "min_score", "max_score", "colour", "coefficient"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and low >= high:
            self.add_error("max_score", _("最高分须大于最低分 / The maximum must be above the minimum"))
        return data


class QuotaForm(_RowForm):
    class Meta:
        model = Quota
        fields = ["grade_code", "kind", "share"]


class AdjustmentItemForm(_RowForm):
    class Meta:
        model = AdjustmentItem
        fields = ["code", "name", "cap", "description"]


class VetoItemForm(_RowForm):
    class Meta:
        model = VetoItem
        fields = ["code", "name", "description"]


class TemplateIndicatorFormSet(BaseInlineFormSet):
    def __init__(self, *args: Any, indicators: dict[str, Indicator] | None = None, **kwargs: Any) -> None:
        self.indicators = indicators or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "indicators": self.indicators}

    def weight_total(self) -> Decimal:
        total = Decimal(0)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data is None:
                value = form.initial.get("weight") if not form.is_bound else form.data.get(form.add_prefix("weight"))
                deleted = form.is_bound and form.data.get(form.add_prefix("DELETE"))
            else:
                value, deleted = data.get("weight"), data.get("DELETE")
            if value in (None, "") or deleted:
                continue
            try:
                total += Decimal(str(value))
            except ArithmeticError:
                continue
        return total


def _formset(model: type[Any], form: type[forms.ModelForm], extra: int, **kwargs: Any) -> Any:
    return inlineformset_factory(Template, model, form=form, extra=extra, can_delete=True, **kwargs)


ItemFormSet = _formset(TemplateIndicator, TemplateIndicatorForm, 2, formset=TemplateIndicatorFormSet)
BandFormSet = _formset(GradeBand, GradeBandForm, 1)
QuotaFormSet = _formset(Quota, QuotaForm, 1)
AdjustmentFormSet = _formset(AdjustmentItem, AdjustmentItemForm, 1)
VetoFormSet = _formset(VetoItem, VetoItemForm, 1)

FORMSETS = (
    ("items", ItemFormSet, _("考核指标与权重")),
    ("bands", BandFormSet, _("绩效等级")),
    ("quotas", QuotaFormSet, _("强制分布比例")),
    ("adjustments", AdjustmentFormSet, _("加减分项")),
    ("vetoes", VetoFormSet, _("一票否决项")),
)


class TemplateCopyForm(forms.Form):
    code = forms.CharField(label=_("新方案编码"), max_length=40)
    name = forms.CharField(label=_("新方案名称"), max_length=120, required=False)
