"""Forms of the channels and of a person's notification preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, NotificationKind, PersonalChannel


class ChannelForm(forms.ModelForm):
    """The webhook URL and the secret are never sent back to the browser: on edit they show as
    masked placeholders, and an empty field keeps the stored value."""

    webhook_url = forms.URLField(label=_("Webhook 地址"), max_length=500, required=False, assume_scheme="https")
    clear_secret = forms.BooleanField(label=_("清除签名密钥"), required=False)

    class Meta:
        model = Channel
        fields = ["name", "kind", "webhook_url", "secret", "email_to", "enabled", "note"]
        widgets = {"secret": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["webhook_url"] = ""
            self.initial["secret"] = ""
            if self.instance.webhook_url:
                self.fields["webhook_url"].widget.attrs["placeholder"] = self.instance.webhook_url_masked
                self.fields["webhook_url"].help_text = _("留空则保持不变 / Leave empty to keep the current URL")
            if self.instance.secret:
                self.fields["secret"].widget.attrs["placeholder"] = self.instance.secret_masked
                self.fields["secret"].help_text = _("留空则保持不变 / Leave empty to keep the current secret")
        else:
            del self.fields["clear_secret"]

    def clean_webhook_url(self) -> str:
        value = self.cleaned_data.get("webhook_url") or ""
        return value or (self.instance.webhook_url if self.instance.pk else "")

    def clean_secret(self) -> str:
        value = (self.cleaned_data.get("secret") or "").strip()
        if self.cleaned_data.get("clear_secret") or self.data.get(self.add_prefix("clear_secret")):
            return ""
        return value or (self.instance.secret if self.instance.pk else "")


class PreferencesForm(forms.Form):
    """One checkbox per (kind, personal channel)."""

    def __init__(self, *args: Any, grid: dict[str, dict[str, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            for channel in PersonalChannel:
                self.fields[f"{kind.value}__{channel.value}"] = forms.BooleanField(
                    label=f"{kind.label} · {channel.label}", required=False,
                    initial=grid.get(kind.value, {}).get(channel.value, False),
                )

    def grid(self) -> dict[str, dict[str, bool]]:
        out: dict[str, dict[str, bool]] = {}
        for name, value in self.cleaned_data.items():
            kind, _sep, channel = name.partition("__")
            out.setdefault(kind, {})[channel] = bool(value)
        return out

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"label": kind.label, "cells": [self[f"{kind.value}__{c.value}"] for c in PersonalChannel]}
            for kind in NotificationKind
        ]
