"""Forms: an alert rule, and the note that goes with acknowledging or resolving an alert."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from outperform.core.models import User
from outperform.notifications.models import Channel

from .kinds import kind_choices
from .models import AlertRule


def _params_help() -> str:
    return str(_("JSON 对象，如 {\"days\": 60}；各类型可用参数见")) + f" {reverse_lazy('alerts:kinds')}"


class AlertRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("规则类型"), choices=kind_choices)
    params = forms.JSONField(label=_("参数"), required=False, initial=dict,
                             help_text=lazy(_params_help, str)(),
                             widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}))
    owner = forms.ModelChoiceField(label=_("指定负责人"), required=False,
                                   queryset=User.objects.filter(is_active=True).order_by("username"))
    channels = forms.ModelMultipleChoiceField(label=_("通知渠道"), required=False,
                                              queryset=Channel.objects.order_by("name"),
                                              widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = AlertRule
        fields = ["name", "kind", "params", "severity", "owner_mode", "owner", "channels", "department", "vendor",
                  "enabled", "auto_resolve"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial.get("params") in (None, ""):
            self.initial["params"] = {}

    def clean_params(self) -> Any:
        value = self.cleaned_data.get("params")
        return {} if value in (None, "") else value


class AlertNoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
