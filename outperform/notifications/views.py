"""收件箱 (/inbox/): the signed-in user's own notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Notification
from .selectors import inbox_for
from .services import notification_mark_read, notifications_mark_all_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "notifications": page.object_list})


def _own(request: HttpRequest, pk: int) -> Notification:
    try:
        return inbox_for(request.user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    notification = notification_mark_read(user=request.user, notification=_own(request, pk))
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                          require_https=request.is_secure()):
        target = reverse("notifications:inbox")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": count})
    return HttpResponseRedirect(reverse("notifications:inbox"))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """通知设置: which kinds reach me in-app and by e-mail."""
    from .delivery import preferences_grid, preferences_save
    from .forms import PreferencesForm

    form = PreferencesForm(request.POST or None, grid=preferences_grid(request.user))
    if request.method == "POST" and form.is_valid():
        preferences_save(user=request.user, grid=form.grid())
        messages.success(request, _("通知设置已保存"))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {
        "form": form, "has_email": bool(getattr(request.user, "email", "")),
    })
