import re
from typing import Any

from django import forms, template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def bs(field: Any) -> Any:
    """Render a bound field with the Bootstrap class its widget needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select form-select-sm" if field.form.prefix == "f" else "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.simple_tag(takes_context=True)
def qs(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


_NAV_CACHE: dict[tuple[Any, ...], str] = {}
_NAV_CACHE_MAX = 1000
_DIGITS = re.compile(r"\d+")


@register.simple_tag(takes_context=True)
def nav(context: Any) -> str:
    """The sidebar (includes/nav.html), rendered once per process for each set of roles, language
    and page kind: its ~70 links were resolved again on every page (a tenth of a list page's time).
    It may depend only on the scope's roles and grants, `user.is_superuser` and `request.path` —
    numbers in the path do not matter to it, so /workers/workers/17/ and /…/42/ share an entry."""
    request, scope = context["request"], context["scope"]
    key = (scope.roles, bool(scope.department_ids), bool(scope.vendor_ids), scope.is_superuser,
           get_language(), _DIGITS.sub("0", request.path))
    html = None if settings.DEBUG else _NAV_CACHE.get(key)
    if html is None:
        html = context.template.engine.get_template("includes/nav.html").render(context)
        if len(_NAV_CACHE) >= _NAV_CACHE_MAX:
            _NAV_CACHE.clear()
        _NAV_CACHE[key] = html
    return mark_safe(html)  # noqa: S308 — the template's own output, escaped when it was rendered
