"""The library's own pages; thin: check permission, call a selector or a service, render."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from outperform.access.scoping import get_scoped_or_404, restrict
from outperform.core.audit import snapshot
from outperform.core.crud import EditView, ListView, ResourceView, _upload_dir, xlsx_response
from outperform.core.models import User
from outperform.core.permissions import ensure_in_write_scope, require_write

from . import preview, services, template_excel
from .forms import FORMSETS, RULE_ERROR_FIELD, IndicatorForm, TemplateCopyForm, TemplateForm
from .models import Indicator, RaterRole, Template
from .selectors import indicator_choices, indicator_templates, split_problems, template_detail
from .snapshot import template_snapshot
from .validation import rule_description

# --- indicators -----------------------------------------------------------------------------------


class IndicatorDetailView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        r = self.resource
        obj = get_scoped_or_404(r.queryset(), request.user, "view", pk=pk)
        scope = self.scope
        return render(request, "indicators/indicator_detail.html", self.context(
            object=obj,
            fields=[(c.label, r.cell(obj, c, scope)) for c in r.detail_fields],
            rater_roles=_role_labels(obj.rater_roles),
            rule_text=rule_description(obj.rule),
            rule_json=json.dumps(obj.rule, ensure_ascii=False, indent=2) if obj.rule else "",
            usage=indicator_templates(obj, request.user),
            can_change=scope.can_write(Indicator),
            edit_url=reverse(r.route("edit"), args=[obj.pk]),
            delete_url=reverse(r.route("delete"), args=[obj.pk]),
        ))


def _actor(request: HttpRequest) -> User:
    # LoginRequiredMixin has run: the user is a real account, never AnonymousUser.
    user = request.user
    assert isinstance(user, User)
    return user


def _role_labels(roles: list[str] | None) -> list[str]:
    return [str(RaterRole(r).label) if r in RaterRole.values else r for r in roles or []]


class IndicatorEditView(EditView):
    template_name = "indicators/indicator_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, self.template_name, self.context(form=self.make_form(obj), object=obj))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        before = snapshot(obj) if obj is not None else None
        form = self.make_form(obj, request.POST)
        assert isinstance(form, IndicatorForm)
        if form.is_valid():
            try:
                with transaction.atomic():
                    instance = form.save(commit=False)
                    self.resource.save(actor=_actor(request), obj=instance, before=before)
                    ensure_in_write_scope(request.user, instance)
            except ValidationError as exc:
                _errors_to_form(form, exc, {"rule": RULE_ERROR_FIELD.get(form.cleaned_data.get("rule_type") or "",
                                                                         "rule_type")})
            else:
                messages.success(request, _("已保存 / Saved"))
                return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[instance.pk]))
        return render(request, self.template_name, self.context(form=form, object=obj), status=400)


def _errors_to_form(form: Any, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = (rename or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)


# --- templates ------------------------------------------------------------------------------------


class TemplateDetailView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_scoped_or_404(Template.objects.all(), request.user, "view", pk=pk)
        return render(request, "indicators/template_detail.html", self.detail_context(template))

    def detail_context(self, template: Template, **extra: Any) -> dict[str, Any]:
        r = self.resource
        return self.context(
            object=template,
            can_change=self.scope.can_write(Template),
            edit_url=reverse(r.route("edit"), args=[template.pk]),
            delete_url=reverse(r.route("delete"), args=[template.pk]),
            preview_url=reverse(r.route("preview"), args=[template.pk]),
            **template_detail(template, self.request.user),
            **extra,
        )


def _children(formsets: dict[str, Any]) -> dict[str, list[Any]]:
    """The rows to keep: every filled-in form not marked for deletion."""
    return {
        prefix: [f.instance for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for prefix, formset in formsets.items()
    }


class TemplateEditView(ResourceView):
    template_name = "indicators/template_form.html"

    def get_object(self, pk: int | None) -> Template | None:
        require_write(self.scope, Template)
        if pk is None:
            return None
        template = get_scoped_or_404(Template.objects.all(), self.request.user, "view", pk=pk)
        if not restrict(Template.objects.filter(pk=pk), self.request.user, "change").exists():
            raise PermissionDenied
        return template

    def build(self, template: Template | None, data: Any = None) -> tuple[TemplateForm, dict[str, Any]]:
        form = TemplateForm(data=data, instance=template)
        indicators = indicator_choices(self.request.user)
        formsets = {}
        for prefix, formset_class, _label in FORMSETS:
            kwargs: dict[str, Any] = {"indicators": indicators} if prefix == "items" else {}
            formsets[prefix] = formset_class(data=data, instance=form.instance, prefix=prefix, **kwargs)
        return form, formsets

    def render_form(self, template: Template | None, form: TemplateForm, formsets: dict[str, Any],
                    problems: list[str] | None = None, child_errors: dict[str, list[str]] | None = None,
                    status: int = 200) -> HttpResponse:
        sections = [
            {"prefix": prefix, "label": label, "formset": formsets[prefix],
             "errors": (child_errors or {}).get(prefix, [])}
            for prefix, _cls, label in FORMSETS
        ]
        return render(self.request, self.template_name, self.context(
            object=template, form=form, sections=sections, weight_total=formsets["items"].weight_total(),
            **split_problems(problems or []),
        ), status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        template = self.get_object(pk)
        if template is not None and template.frozen:
            messages.error(request, services.frozen_message(template))
            return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[template.pk]))
        form, formsets = self.build(template)
        return self.render_form(template, form, formsets)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        template = self.get_object(pk)
        before = snapshot(template) if template is not None else None
        form, formsets = self.build(template, request.POST)
        valid = form.is_valid()
        valid = all([fs.is_valid() for fs in formsets.values()]) and valid
        problems: list[str] = []
        child_errors: dict[str, list[str]] = {}
        if valid:
            try:
                rows = _children(formsets)
                saved = services.template_save(
                    actor=_actor(request), template=form.save(commit=False), before=before, items=rows["items"],
                    bands=rows["bands"], quotas=rows["quotas"], adjustments=rows["adjustments"],
                    vetoes=rows["vetoes"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for key, errors in exc.message_dict.items():
                        if key in formsets:
                            child_errors[key] = errors
                        elif key in form.fields:
                            form.add_error(key, errors)
                        else:
                            problems.extend(errors)
                else:
                    problems = exc.messages
            else:
                messages.success(request, _("已保存 / Saved"))
                return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[saved.pk]))
        return self.render_form(template, form, formsets, problems, child_errors, status=400)


class _TemplateWriteView(ResourceView):
    def writable(self, pk: int) -> Template:
        require_write(self.scope, Template)
        template = get_scoped_or_404(Template.objects.all(), self.request.user, "view", pk=pk)
        if not restrict(Template.objects.filter(pk=pk), self.request.user, "change").exists():
            raise PermissionDenied
        return template


class TemplateActionView(_TemplateWriteView):
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.writable(pk)
        detail = reverse(self.resource.route("detail"), args=[template.pk])
        try:
            if self.action == "new_version":
                copy = services.template_new_version(actor=_actor(request), template=template)
                messages.success(request, _("已复制为新版本 v%(v)d（草稿），可在此修改 / Copied as version %(v)d (draft)")
                                 % {"v": copy.version})
                return HttpResponseRedirect(reverse(self.resource.route("edit"), args=[copy.pk]))
            if self.action == "activate":
                services.template_activate(actor=_actor(request), template=template)
                messages.success(request, _("方案已启用 / The template is active"))
            elif self.action == "archive":
                services.template_archive(actor=_actor(request), template=template)
                messages.success(request, _("方案已停用 / The template is archived"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(detail)


class TemplateCopyView(_TemplateWriteView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.writable(pk)
        form = TemplateCopyForm(initial={"code": f"{template.code}-COPY", "name": f"{template.name}（副本）"})
        return render(request, "indicators/template_copy.html", self.context(object=template, form=form))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self.writable(pk)
        form = TemplateCopyForm(request.POST)
        if form.is_valid():
            try:
                copy = services.template_copy(actor=_actor(request), template=template, new_code=form.cleaned_data["code"],
                                              name=form.cleaned_data["name"])
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("已复制 / Copied"))
                return HttpResponseRedirect(reverse(self.resource.route("edit"), args=[copy.pk]))
        return render(request, "indicators/template_copy.html", self.context(object=template, form=form), status=400)


class TemplatePreviewView(TemplateDetailView):
    """POST sample values, get the result: a partial for htmx, the whole page without JavaScript."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_scoped_or_404(Template.objects.all(), request.user, "view", pk=pk)
        snap = template_snapshot(template)
        req, input_errors = preview.request_from_form(snap, request.POST)
        result = preview.run_preview(snap, req) if not input_errors else None
        partial = {"result": result, "input_errors": input_errors}
        if request.headers.get("HX-Request"):
            return render(request, "indicators/_preview_result.html", partial)
        # Without JavaScript the form posted here directly: show the page again with what was typed.
        context = self.detail_context(template)
        for row in context["preview_layout"]:
            for entry in (*row.get("roles", ()), *row.get("metrics", ())):
                entry["value"] = request.POST.get(entry["field"], "")
        for entry in (*context["preview_adjustments"], *context["preview_vetoes"]):
            entry["value"] = request.POST.get(entry["field"], "")
        context.update(preview=partial, base_bonus=request.POST.get("base_bonus", ""))
        return render(request, "indicators/template_detail.html", context)


# --- templates: Excel export and import -------------------------------------------------------------


class TemplateListView(ListView):
    """The generic list, with the whole-template import (not a row importer) behind "导入"."""

    def context(self, **extra: Any) -> dict[str, Any]:
        context = super().context(**extra)
        context["can_import"] = self.scope.can_write(Template)
        context["import_url"] = reverse("indicators:templates_import")
        return context


class TemplateExportView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_scoped_or_404(Template.objects.all(), request.user, "view", pk=pk)
        return xlsx_response(template_excel.export_template(template),
                             quote(template_excel.export_filename(template)))


class TemplateImportView(ResourceView):
    """Upload → preview (the import done and rolled back) → confirm. The upload is kept under a
    random token tied to the user, so the confirmation imports exactly the previewed file."""

    template_name = "indicators/template_import.html"

    def render_page(self, status: int = 200, **extra: Any) -> HttpResponse:
        return render(self.request, self.template_name, self.context(
            import_url=reverse("indicators:templates_import"), **extra), status=status)

    def stored(self, token: str) -> Path:
        try:
            uuid.UUID(token)
        except ValueError:
            raise Http404 from None
        file_path = _upload_dir() / f"{self.request.user.pk}-{token}.xlsx"
        if not file_path.exists():
            raise Http404
        return file_path

    def get(self, request: HttpRequest) -> HttpResponse:
        require_write(self.scope, Template)
        return self.render_page()

    def post(self, request: HttpRequest) -> HttpResponse:
        require_write(self.scope, Template)
        token = request.POST.get("token", "")
        if token:
            file_path = self.stored(token)
            outcome = template_excel.import_template(file_path.read_bytes(), actor=_actor(request))
            if outcome.template is not None:
                file_path.unlink(missing_ok=True)
                messages.success(request, _("已导入方案 %(t)s（草稿） / Imported %(t)s (draft)")
                                 % {"t": outcome.template})
                return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[outcome.template.pk]))
            return self.render_page(400, outcome=outcome, token=token)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择文件 / Choose a file"))
            return self.render_page(400)
        if upload.size and upload.size > settings.OUTPERFORM_MAX_UPLOAD_BYTES:
            messages.error(request, _("文件过大 / The file is too large"))
            return self.render_page(400)
        if Path(upload.name or "").suffix.lower() != ".xlsx":
            messages.error(request, _("只接受 .xlsx 文件 / Only .xlsx files are accepted"))
            return self.render_page(400)
        data = b"".join(upload.chunks())
        outcome = template_excel.import_template(data, actor=_actor(request), dry_run=True)
        if not outcome.ok:
            return self.render_page(400, outcome=outcome)
        token = str(uuid.uuid4())
        (_upload_dir() / f"{request.user.pk}-{token}.xlsx").write_bytes(data)
        return self.render_page(outcome=outcome, token=token, preview=outcome.preview,
                                preview_roles=_role_labels_weights(outcome.preview))


def _role_labels_weights(preview: dict[str, Any] | None) -> list[tuple[str, str]]:
    weights = (preview or {}).get("role_weights") or {}
    return [(str(RaterRole(r).label) if r in RaterRole.values else r, w) for r, w in weights.items()]
