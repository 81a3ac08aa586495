"""Declarative list / detail / create / edit / delete / import / export pages.

An app declares a `Resource` (model, queryset, filterset, columns, form, importer) and gets its
routes from `resource.urls()`. Every queryset goes through `access.scoping.restrict`; every write
through the audited services. This is the NetBox pattern: plain CRUD is configuration, not code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Case, IntegerField, ProtectedError, Q, QuerySet, Value, When
from django.forms.models import ModelChoiceIterator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django_filters import FilterSet

from outperform.access.routes import may_use
from outperform.access.scoping import PERSONAL_DATA_ROLES, Scope, get_scoped_or_404, restrict, scope_for

from . import excel
from .audit import snapshot
from .display import format_money, format_value, resolve
from .importing import ImportResult, ModelImporter
from .masking import mask_field
from .pagination import EstimatedPaginator
from .permissions import ensure_in_write_scope, require_write
from .services import object_create, object_delete, object_update

if TYPE_CHECKING:  # a development-only package
    from django_stubs_ext import StrOrPromise

PAGE_SIZES = (20, 50, 100, 200)
RANK_LIMIT = 500  # related rows a sort on their name turns into a rank (see Resource._related_rank)


@dataclass(frozen=True)
class Col:
    accessor: str
    label: StrOrPromise
    order_by: str | None = None
    link: bool = False
    money: bool = False
    personal: bool = False  # masked unless the viewer may see this person's data


def paginate(request: HttpRequest, qs: Any, *, estimate: bool = False, default: int = 20) -> tuple[Any, int]:
    """The requested page of a list and the page size (one of PAGE_SIZES, default 20).

    `estimate`: count only when counting is cheap, else show the planner's estimate (约 N 条) —
    for lists that reach whole-organisation sizes; see core.pagination."""
    try:
        per_page = int(request.GET.get("per_page", default))
    except ValueError:
        per_page = default
    per_page = per_page if per_page in PAGE_SIZES else default
    paginator = EstimatedPaginator(qs, per_page) if estimate else Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page")), per_page


def url_maker(route: str) -> Callable[[Any], str]:
    """`pk -> URL` for a route taking one pk, reversed once: a list of 200 rows would otherwise
    resolve the URL configuration 200 times."""
    marker = "2147483647"
    prefix, _, suffix = reverse(route, args=[marker]).partition(marker)
    return lambda pk: f"{prefix}{pk}{suffix}"


class PlainChoiceIterator(ModelChoiceIterator):
    """A select's choices read with one plain query. Django's iterator() opens a server-side cursor
    on PostgreSQL — DECLARE, FETCH, CLOSE: three round trips — to read ten vendors."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        null_label = getattr(self.field, "null_label", None)  # django-filter's "none of them" choice
        if null_label is not None:
            yield (getattr(self.field, "null_value", "null"), null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)

    def __len__(self) -> int:
        return super().__len__() + (getattr(self.field, "null_label", None) is not None)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class Resource:
    model: ClassVar[type[models.Model]]
    name: ClassVar[str]  # URL prefix and route-name stem, e.g. "workers"
    namespace: ClassVar[str]
    select_related: ClassVar[Sequence[str]] = ()
    # The relations the list's columns show, when fewer than `select_related` (which the detail page
    # and the export read): every join costs PostgreSQL planning time on each page.
    list_select_related: ClassVar[Sequence[str] | None] = None
    # Sorts on a small related table's column (`vendor__name`) done as the rank of the row's foreign
    # key in that table's order — see _related_rank. Only for reference tables of a few hundred rows.
    rank_sorts: ClassVar[Sequence[str]] = ()
    filterset_class: ClassVar[type[FilterSet] | None] = None
    search_fields: ClassVar[Sequence[str]] = ()
    columns: ClassVar[Sequence[Col]] = ()
    detail_fields: ClassVar[Sequence[Col]] = ()
    default_ordering: ClassVar[Sequence[str]] = ("pk",)
    form_class: ClassVar[type[forms.ModelForm[Any]] | None] = None
    importer: ClassVar[ModelImporter | None] = None
    # False for lists written only through services (state machines, computed rows): the importer
    # then only exports (?export=xlsx) and no import routes are built.
    importable: ClassVar[bool] = True
    children: ClassVar[Sequence[Callable[[models.Model, Scope], dict[str, Any]]]] = ()
    # Links shown on the detail page: (label, route name taking the object's pk).
    detail_links: ClassVar[Sequence[tuple[Any, str]]] = ()

    # --- data ------------------------------------------------------------------------------
    def queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.select_related(*self.select_related)

    def personal_owner(self, obj: models.Model) -> tuple[int | None, int | None]:
        """(vendor_id, user_id) of the person whose data a row shows, for masking."""
        return getattr(obj, "vendor_id", None), getattr(obj, "user_id", None)

    def may_see_personal(self, scope: Scope, obj: models.Model) -> bool:
        vendor_id, user_id = self.personal_owner(obj)
        return scope.sees_personal_data(vendor_id=vendor_id, user_id=user_id)

    def filtered(self, request: HttpRequest) -> tuple[QuerySet[Any], Any, str, str]:
        qs = restrict(self.queryset(), request.user, "view")
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(request.GET, queryset=qs, request=request)
            self._scope_filter_choices(filterset.form, request)
            if filterset.is_valid():
                qs = filterset.qs
        search = request.GET.get("q", "").strip()
        if search and self.search_fields:
            # Chinese characters and digits have no case: a plain LIKE finds the same rows as
            # icontains without upper-casing every row it scans (about 3× faster at 100,000 rows).
            lookup = "contains" if search.upper() == search.lower() else "icontains"
            q = Q()
            for f in self.search_fields:
                q |= self._search_term(f, lookup, search, scope_for(request.user))
            qs = qs.filter(q)
        sort = request.GET.get("sort", "")
        sortable = {c.order_by for c in self.columns if c.order_by}
        column = sort.lstrip("-")
        if column in sortable:
            desc = sort.startswith("-")
            rank = self._related_rank(column) if column in self.rank_sorts else None
            key: Any = sort if rank is None else (rank.desc() if desc else rank.asc())
            # Ties broken in the sort's own direction, so one (column, id) index serves both directions.
            qs = qs.order_by(key, "-pk" if desc else "pk")
        else:
            qs = qs.order_by(*self.default_ordering)
        return qs, filterset, search, sort

    def _search_term(self, field: str, lookup: str, search: str, scope: Scope) -> Q:
        """A personal field (mobile, 身份证号) is searched only where the viewer may see it whole:
        otherwise typing digits would find a person by the number the page masks."""
        term = Q(**{f"{field}__{lookup}": search})
        personal = {c.accessor for c in self.columns if c.personal} | set(getattr(self.model, "PERSONAL_FIELDS", ()))
        if field not in personal:
            return term
        if scope.is_superuser or scope.roles & PERSONAL_DATA_ROLES:
            return term
        if scope.vendor_ids and any(f.name == "vendor" for f in self.model._meta.get_fields()):
            return term & Q(vendor_id__in=scope.vendor_ids)
        return Q(pk__in=[])

    def _related_rank(self, sort: str) -> Case | None:
        """`vendor__name` as the rank of the row's vendor among the vendors by name: sorting 100,000
        workers on a number of their own row is several times faster than joining each to its vendor
        to sort on the name. None when the table has more than RANK_LIMIT rows."""
        path, _, field = sort.rpartition("__")
        if not path or "__" in path:
            return None
        fk = self.model._meta.get_field(path)
        if not isinstance(fk, models.ForeignKey):
            return None
        manager = fk.related_model._default_manager
        ids = list(manager.order_by(field, "pk").values_list("pk", flat=True)[:RANK_LIMIT + 1])
        if len(ids) > RANK_LIMIT:
            return None
        return Case(*[When(**{fk.attname: pk}, then=Value(rank)) for rank, pk in enumerate(ids)],
                    default=Value(len(ids)), output_field=IntegerField())

    @staticmethod
    def _scope_filter_choices(form: forms.BaseForm, request: HttpRequest) -> None:
        for f in form.fields.values():
            if isinstance(f, forms.ModelChoiceField) and f.queryset is not None:
                f.queryset = restrict(f.queryset, request.user, "view")
                f.iterator = PlainChoiceIterator

    def cell(self, obj: models.Model, col: Col, scope: Scope) -> str:
        value = resolve(obj, col.accessor)
        if col.personal and not self.may_see_personal(scope, obj):
            return str(mask_field(col.accessor, value)) if value not in (None, "") else ""
        if col.money:
            return format_money(value)
        return format_value(value)

    def save(self, *, actor: Any, obj: models.Model, before: dict[str, Any] | None) -> models.Model:
        """Create or update through the audited services; apps override to add their rules."""
        if before is None:
            return object_create(actor=actor, obj=obj)
        return object_update(actor=actor, obj=obj, before=before)

    def delete(self, *, actor: Any, obj: models.Model) -> None:
        object_delete(actor=actor, obj=obj)

    # --- urls ------------------------------------------------------------------------------
    def route(self, action: str) -> str:
        return f"{self.namespace}:{self.name}_{action}"

    def urls(self) -> list[URLPattern]:
        n = self.name
        patterns = [
            path(f"{n}/", ListView.as_view(resource=self), name=f"{n}_list"),
            path(f"{n}/<int:pk>/", DetailView.as_view(resource=self), name=f"{n}_detail"),
        ]
        if self.form_class is not None:
            patterns += [
                path(f"{n}/new/", EditView.as_view(resource=self), name=f"{n}_create"),
                path(f"{n}/<int:pk>/edit/", EditView.as_view(resource=self), name=f"{n}_edit"),
                path(f"{n}/<int:pk>/delete/", DeleteView.as_view(resource=self), name=f"{n}_delete"),
            ]
        if self.importer is not None and self.importable:
            patterns += [
                path(f"{n}/import/", ImportView.as_view(resource=self), name=f"{n}_import"),
                path(f"{n}/import/template.xlsx", TemplateView.as_view(resource=self), name=f"{n}_template"),
            ]
        return patterns


# --- views ------------------------------------------------------------------------------------


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class ResourceView(LoginRequiredMixin, View):
    resource: Resource = None  # type: ignore[assignment]

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    def context(self, **extra: Any) -> dict[str, Any]:
        r = self.resource
        meta = r.model._meta
        imports = r.importer is not None and r.importable
        create_url = _reverse_or_none(r.route("create"))  # the resource's form, or an app's own create view
        return {
            "resource": r,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(r.route("list")),
            "can_write": (create_url is not None and self.scope.can_write(r.model)
                          and may_use(r.route("create"), self.scope)),
            "can_import": imports and self.scope.can_write(r.model),
            "import_url": reverse(r.route("import")) if imports else None,
            "create_url": create_url,
            **extra,
        }


class ListView(ResourceView):
    def get(self, request: HttpRequest) -> HttpResponse:
        r = self.resource
        qs, filterset, search, sort = r.filtered(request)
        if request.GET.get("export") == "xlsx":
            return self.export(qs)
        if r.list_select_related is not None:
            qs = qs.select_related(None).select_related(*r.list_select_related)
        page, per_page = paginate(request, qs, estimate=True)
        scope = self.scope
        detail_url = url_maker(r.route("detail"))
        rows = [
            {
                "url": detail_url(obj.pk),
                "cells": [(r.cell(obj, c, scope), c.link) for c in r.columns],
            }
            for obj in page.object_list
        ]
        params = request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        headers = [
            {
                "label": c.label,
                "sort": (("-" if sort == c.order_by else "") + c.order_by) if c.order_by else None,
                "active": sort.lstrip("-") == c.order_by if c.order_by else False,
                "desc": sort.startswith("-"),
            }
            for c in r.columns
        ]
        export_params = request.GET.copy()
        export_params["export"] = "xlsx"
        export_params.pop("page", None)
        return render(
            request,
            "core/object_list.html",
            self.context(
                page=page,
                rows=rows,
                headers=headers,
                filter_form=filterset.form if filterset is not None else None,
                search=search,
                querystring=params.urlencode(),
                sort_querystring=sort_params.urlencode(),
                export_querystring=export_params.urlencode(),
                per_page=per_page,
                page_sizes=PAGE_SIZES,
                can_export=r.importer is not None,
            ),
        )

    def export(self, qs: QuerySet[Any]) -> HttpResponse:
        r = self.resource
        if r.importer is None:
            raise Http404
        scope = self.scope
        personal = set(getattr(r.model, "PERSONAL_FIELDS", ()))

        def mask(obj: models.Model, key: str, value: Any) -> Any:
            if key in personal and value not in (None, "") and not r.may_see_personal(scope, obj):
                return mask_field(key, value)
            return value

        content = r.importer.export(qs.iterator(chunk_size=2000), mask=mask)
        return xlsx_response(content, f"{r.name}.xlsx")


class DetailView(ResourceView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        r = self.resource
        obj = get_scoped_or_404(r.queryset(), request.user, "view", pk=pk)
        scope = self.scope
        fields = [(c.label, r.cell(obj, c, scope)) for c in (r.detail_fields or r.columns)]
        can_change = scope.can_write(r.model) and restrict(
            r.model._default_manager.filter(pk=obj.pk), request.user, "change"
        ).exists()
        extra: dict[str, Any] = {}
        for child in r.children:
            extra.update(child(obj, scope))
        extra["links"] = [(label, reverse(route, args=[obj.pk])) for label, route in r.detail_links
                          if may_use(route, scope)]
        return render(
            request,
            "core/object_detail.html",
            self.context(
                object=obj,
                fields=fields,
                can_change=can_change and r.form_class is not None,
                edit_url=reverse(r.route("edit"), args=[obj.pk]) if r.form_class is not None else None,
                delete_url=reverse(r.route("delete"), args=[obj.pk]) if r.form_class is not None else None,
                **extra,
            ),
        )


class EditView(ResourceView):
    def get_object(self, pk: int | None) -> models.Model | None:
        r = self.resource
        require_write(self.scope, r.model)
        if pk is None:
            return None
        obj = get_scoped_or_404(r.queryset(), self.request.user, "view", pk=pk)
        if not restrict(r.model._default_manager.filter(pk=pk), self.request.user, "change").exists():
            raise PermissionDenied
        return obj

    def make_form(self, obj: models.Model | None, data: Any = None) -> forms.ModelForm[Any]:
        form_class = self.resource.form_class
        assert form_class is not None
        initial = self.request.GET.dict() if obj is None and data is None else None
        form = form_class(data=data, instance=obj, initial=initial)
        Resource._scope_filter_choices(form, self.request)
        return form

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, "core/object_form.html", self.context(form=self.make_form(obj), object=obj))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        before = snapshot(obj) if obj is not None else None
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    instance = form.save(commit=False)
                    self.resource.save(actor=request.user, obj=instance, before=before)
                    form.save_m2m()
                    ensure_in_write_scope(request.user, instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存 / Saved"))
                return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[instance.pk]))
        return render(request, "core/object_form.html", self.context(form=form, object=obj), status=400)


class DeleteView(EditView):
    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, "core/object_confirm_delete.html", self.context(object=obj))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        assert obj is not None
        try:
            self.resource.delete(actor=request.user, obj=obj)
        except ProtectedError:
            messages.error(
                request,
                _("该记录仍被其他数据引用，不能删除 / Other records still refer to this one; it can't be deleted"),
            )
            return HttpResponseRedirect(reverse(self.resource.route("detail"), args=[obj.pk]))
        messages.success(request, _("已删除 / Deleted"))
        return HttpResponseRedirect(reverse(self.resource.route("list")))


def _upload_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


class ImportView(ResourceView):
    """Upload → preview (dry run) → commit. The upload is kept under a random token, tied to the
    user, so the commit re-runs the import on exactly the previewed file."""

    def check(self) -> ModelImporter:
        require_write(self.scope, self.resource.model)
        assert self.resource.importer is not None
        return self.resource.importer

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check()
        token = request.GET.get("errors")
        if token:
            return self.error_report(token)
        return render(request, "core/object_import.html", self.context())

    def stored(self, token: str) -> tuple[Path, str]:
        try:
            uuid.UUID(token)
        except ValueError:
            raise Http404 from None
        matches = list(_upload_dir().glob(f"{self.request.user.pk}-{token}.*"))
        if not matches:
            raise Http404
        return matches[0], matches[0].suffix

    def post(self, request: HttpRequest) -> HttpResponse:
        importer = self.check()
        token = request.POST.get("token")
        if token:
            file_path, suffix = self.stored(token)
            with file_path.open("rb") as fh:
                result = self.run(importer, fh, f"upload{suffix}", dry_run=False)
            if result.committed:
                file_path.unlink(missing_ok=True)
                messages.success(
                    request,
                    _("导入完成：新建 %(c)d 条，更新 %(u)d 条 / Imported: %(c)d created, %(u)d updated")
                    % {"c": result.created, "u": result.updated},
                )
                return HttpResponseRedirect(reverse(self.resource.route("list")))
            return render(request, "core/object_import.html", self.context(result=result, token=token), status=400)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择文件 / Choose a file"))
            return render(request, "core/object_import.html", self.context(), status=400)
        if upload.size and upload.size > settings.OUTPERFORM_MAX_UPLOAD_BYTES:
            messages.error(request, _("文件过大 / The file is too large"))
            return render(request, "core/object_import.html", self.context(), status=400)
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in {".xlsx", ".csv"}:
            messages.error(request, _("只接受 .xlsx 或 .csv 文件 / Only .xlsx or .csv files are accepted"))
            return render(request, "core/object_import.html", self.context(), status=400)
        token = str(uuid.uuid4())
        file_path = _upload_dir() / f"{request.user.pk}-{token}{suffix}"
        with file_path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        with file_path.open("rb") as fh:
            result = self.run(importer, fh, f"upload{suffix}", dry_run=True)
        status = 200 if result.ok else 400
        return render(request, "core/object_import.html", self.context(result=result, token=token), status=status)

    def run(self, importer: ModelImporter, fh: Any, name: str, *, dry_run: bool) -> ImportResult:
        try:
            return importer.run(fh, name, actor=self.request.user, dry_run=dry_run)  # type: ignore[arg-type]
        except excel.SpreadsheetError as exc:
            return ImportResult(header_errors=[str(exc)])

    def error_report(self, token: str) -> HttpResponse:
        importer = self.check()
        file_path, suffix = self.stored(token)
        with file_path.open("rb") as fh:
            result = self.run(importer, fh, f"upload{suffix}", dry_run=True)
        with file_path.open("rb") as fh:
            table = excel.read_table(fh, f"upload{suffix}", spec=importer.sheet)
            content = excel.write_error_report(importer.sheet, table, result.errors)
        return xlsx_response(content, f"{self.resource.name}-errors.xlsx")


class TemplateView(ResourceView):
    def get(self, request: HttpRequest) -> HttpResponse:
        assert self.resource.importer is not None
        return xlsx_response(self.resource.importer.template(), f"{self.resource.name}-template.xlsx")


