"""Login with throttling: repeated failures lock the account (and the client address) for a while."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User

LOCKED_MESSAGE = _("登录失败次数过多，请稍后再试 / Too many failed log-ins; try again later")


def _ip_key(request: HttpRequest | None) -> str:
    addr = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return f"login-fail:{addr}"


def record_failure(request: HttpRequest | None, username: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    key = _ip_key(request)
    cache.add(key, 0, window)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
    user = User.objects.filter(username=username).first()
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
            user.locked_until = timezone.now() + dt.timedelta(seconds=window)
            user.failed_logins = 0
        user.save(update_fields=["failed_logins", "locked_until"])


def is_locked(request: HttpRequest | None, username: str) -> bool:
    # The per-address limit is looser: several people may share an office NAT.
    if (cache.get(_ip_key(request)) or 0) >= settings.LOGIN_FAILURE_LIMIT * 4:
        return True
    locked_until = User.objects.filter(username=username).values_list("locked_until", flat=True).first()
    return bool(locked_until and locked_until > timezone.now())


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if is_locked(self.request, username):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(self.request, username)
            raise
        User.objects.filter(pk=self.get_user().pk).update(failed_logins=0, locked_until=None)
        return cleaned
