from typing import Any

from django import forms, template

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
