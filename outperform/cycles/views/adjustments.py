"""HR on the appraisal page: 加减分, 一票否决 and 数据指标 values (the compute's manual inputs).

Each view is a POST that answers with a redirect back to the page's card; errors (bilingual) go to
the page's messages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..models import AdjustmentEntry, Appraisal
from ..services import adjustment_add, adjustment_remove, metric_value_set, veto_add
from .common import get_appraisal, messages_of, require_hr

REQUIRED = {"required": gettext_lazy("必填 / Required")}
NUMBER = {**REQUIRED, "invalid": gettext_lazy("请输入数字 / Enter a number")}


class AdjustmentForm(forms.Form):
    code = forms.CharField(max_length=40, error_messages=REQUIRED)
    value = forms.DecimalField(max_digits=6, decimal_places=2, error_messages=NUMBER)
    reason = forms.CharField(max_length=300, error_messages=REQUIRED)


class VetoForm(forms.Form):
    code = forms.CharField(max_length=40, error_messages=REQUIRED)
    reason = forms.CharField(max_length=300, error_messages=REQUIRED)


class RemoveForm(forms.Form):
    reason = forms.CharField(max_length=300, error_messages=REQUIRED)


class MetricForm(forms.Form):
    metric = forms.CharField(max_length=60, error_messages=REQUIRED)
    value = forms.DecimalField(max_digits=14, decimal_places=4, required=False, error_messages=NUMBER)
    clear = forms.BooleanField(required=False)


LABELS = {"code": gettext_lazy("项目"), "value": gettext_lazy("分值/数值"), "reason": gettext_lazy("原因"),
          "metric": gettext_lazy("数据指标")}


def _back(a: Appraisal, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cycles:appraisal_detail", args=[a.pk]) + f"#{anchor}")


def _run(request: HttpRequest, a: Appraisal, form: forms.Form, anchor: str, done: str,
         write: Callable[[dict[str, Any]], Any]) -> HttpResponse:
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{LABELS.get(field, '')}：{e}" if field in LABELS else str(e))
        return _back(a, anchor)
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        for m in messages_of(exc):
            messages.error(request, m)
    else:
        messages.success(request, done)
    return _back(a, anchor)


@login_required
@require_POST
def adjustment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    a = get_appraisal(request, pk)
    return _run(request, a, AdjustmentForm(request.POST), "adjustments",
                _("已记录加减分，重新计算后生效 / Adjustment recorded; recompute to apply it"),
                lambda d: adjustment_add(actor=request.user, appraisal=a, code=d["code"],  # type: ignore[arg-type]
                                         value=d["value"], reason=d["reason"]))


@login_required
@require_POST
def veto_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    a = get_appraisal(request, pk)
    return _run(request, a, VetoForm(request.POST), "adjustments",
                _("已记录一票否决，重新计算后生效 / Veto recorded; recompute to apply it"),
                lambda d: veto_add(actor=request.user, appraisal=a, code=d["code"],  # type: ignore[arg-type]
                                   reason=d["reason"]))


@login_required
@require_POST
def adjustment_remove_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    require_hr(request)
    a = get_appraisal(request, pk)
    entry = get_object_or_404(AdjustmentEntry, pk=entry_pk, appraisal=a)
    return _run(request, a, RemoveForm(request.POST), "adjustments",
                _("已删除，重新计算后生效 / Removed; recompute to apply it"),
                lambda d: adjustment_remove(actor=request.user, entry=entry,  # type: ignore[arg-type]
                                            reason=d["reason"]))


@login_required
@require_POST
def metric_value_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_hr(request)
    a = get_appraisal(request, pk)

    def write(d: dict[str, Any]) -> Any:
        value: Decimal | None = None if d.get("clear") else d.get("value")
        return metric_value_set(actor=request.user, appraisal=a, metric=d["metric"], value=value)  # type: ignore[arg-type]

    return _run(request, a, MetricForm(request.POST), "metrics",
                _("已保存指标数值，重新计算后生效 / Value saved; recompute to apply it"), write)
