from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from outperform.core.models import User
from outperform.indicators.models import SubjectKind, Template, TemplateStatus
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

from .models import Cycle, Goal, Interview, PeerSelection, Team
from .scope import FILTER_FIELDS, NAMED, NAMED_FIELDS, subject_label, user_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ATTACHMENT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".zip"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class SubjectPicker(forms.SelectMultiple):
    """A searchable picker for long lists (workers, vendors, teams), never a <select> of every row:
    the chosen rows as removable chips holding hidden inputs, and a search box that asks the server
    for matches (htmx, `search_url?q=…`). Behaviour in static/js/cycles_picker.js."""

    # One choice (a chip replaces the chosen one): data-picker-single, behaviour in cycles_picker_single.js.
    single = False
    placeholder = _("输入姓名、工号或编码搜索，点击结果添加")

    def __init__(self, *, search_url: Any = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url = search_url

    def label_of(self, obj: Any) -> str:
        return subject_label(obj)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        values = [value] if self.single and value not in (None, "") and not isinstance(value, list | tuple) else value
        ids = [int(str(getattr(v, "pk", v))) for v in (values or []) if str(getattr(v, "pk", v)).isdigit()]
        queryset = getattr(self.choices, "queryset", None)
        # Labels only for rows the field's (scoped) queryset holds: a posted id never reveals a name.
        found = {o.pk: o for o in queryset.filter(pk__in=ids)} if ids and queryset is not None else {}
        chosen = [found[i] for i in dict.fromkeys(ids) if i in found]
        final = self.build_attrs(self.attrs, attrs)
        invalid = " is-invalid" if "is-invalid" in final.get("class", "") else ""
        chips = format_html_join(
            "", '<span class="badge rounded-pill text-bg-light border fw-normal me-1 mb-1 picker-chip" data-picker-chip>'
            '{}<input type="hidden" name="{}" value="{}"><button type="button" class="btn-close ms-1 picker-remove" '
            'data-picker-remove aria-label="{} {}"></button></span>',
            ((self.label_of(o), name, o.pk, _("移除"), self.label_of(o)) for o in chosen),
        )
        single = format_html('<script src="{}" defer></script>', static("js/cycles_picker_single.js")) if self.single else ""
        return format_html(
            '<div class="subject-picker" data-picker data-name="{name}"{single_attr}>'
            '<div class="mb-1" data-picker-chosen aria-live="polite">{chips}</div>'
            '<input type="search" name="q" id="{id}" class="form-control form-control-sm{invalid}" autocomplete="off" '
            'data-picker-search placeholder="{placeholder}" hx-get="{url}" '
            'hx-trigger="input changed delay:300ms, search, focus once" hx-target="next [data-picker-results]" '
            'hx-swap="innerHTML" hx-sync="this:replace">'
            '<div class="list-group mt-1 picker-results" data-picker-results></div></div>'
            # Any page with a picker gets its behaviour (generic form pages included); the file
            # guards against running twice when a page has several pickers.
            '<script src="{js}" defer></script>{single}',
            name=name, chips=chips, id=final.get("id", ""), invalid=invalid,
            placeholder=self.placeholder, url=str(self.search_url),
            js=static("js/cycles_picker.js"), single=single,
            single_attr=mark_safe(" data-picker-single") if self.single else "",  # noqa: S308 - a constant
        )

    def format_value(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value]


class UserPicker(SubjectPicker):
    """The same picker for one user account (a team's 负责人): searched by name or username."""

    single = True
    placeholder = _("输入姓名或用户名搜索，点击结果选择")

    def label_of(self, obj: Any) -> str:
        return user_label(obj)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # The chosen chip's hidden input; should a script-less page post several, the last one wins.
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        return values[-1] if values else None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class SubjectsField(forms.ModelMultipleChoiceField):
    """Ids chosen with a SubjectPicker; the queryset (scoped by the view) decides what may be chosen."""

    default_error_messages = {
        "invalid_choice": _("ID %(value)s 不存在或不在您的范围内 / Unknown or outside your scope: id %(value)s"),
        "invalid_pk_value": _("“%(pk)s”不是有效的 ID / “%(pk)s” is not a valid id"),
    }

    def __init__(self, queryset: QuerySet[Any], *, search_url: Any = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(queryset, widget=SubjectPicker(search_url=search_url), **kwargs)


def _search_url(kind: str) -> Any:
    return format_lazy("{}?kind={}", reverse_lazy("cycles:subject_search"), kind)


# What a pasted line names, per subject kind; header cells copied along are skipped.
PASTE_KEYS: dict[str, tuple[str, ...]] = {SubjectKind.WORKER: ("employee_no",), SubjectKind.VENDOR: ("credit_code", "name"),
              SubjectKind.TEAM: ("code",)}
PASTE_HEADERS = {"工号", "统一社会信用代码", "服务商名称", "团队编码", "编码"}

NAMED_HELP = {
    "include": _("不受上面范围筛选的限制；外包人员只需在考核期内在岗（期中离场的也可纳入）"),
    "exclude": _("从范围中去掉的考核对象"),
}


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_subject_kind_display()}）"


class CycleForm(forms.ModelForm):
    default_template = TemplateChoiceField(
        queryset=Template.objects.filter(status=TemplateStatus.ACTIVE).order_by("subject_kind", "code", "-version"),
        label=_("默认考核方案"), help_text=_("启用状态、且与考核对象一致的考核方案"),
    )

    include_workers = SubjectsField(Worker.objects.all(), search_url=_search_url(SubjectKind.WORKER),
                                    label=_("指定纳入：外包人员"), help_text=NAMED_HELP["include"])
    exclude_workers = SubjectsField(Worker.objects.all(), search_url=_search_url(SubjectKind.WORKER),
                                    label=_("指定排除：外包人员"), help_text=NAMED_HELP["exclude"])
    include_vendors = SubjectsField(Vendor.objects.all(), search_url=_search_url(SubjectKind.VENDOR),
                                    label=_("指定纳入：服务商"), help_text=NAMED_HELP["include"])
    exclude_vendors = SubjectsField(Vendor.objects.all(), search_url=_search_url(SubjectKind.VENDOR),
                                    label=_("指定排除：服务商"), help_text=NAMED_HELP["exclude"])
    include_teams = SubjectsField(Team.objects.all(), search_url=_search_url(SubjectKind.TEAM),
                                  label=_("指定纳入：团队"), help_text=NAMED_HELP["include"])
    exclude_teams = SubjectsField(Team.objects.all(), search_url=_search_url(SubjectKind.TEAM),
                                  label=_("指定排除：团队"), help_text=NAMED_HELP["exclude"])

    include_codes = forms.CharField(
        label=_("批量纳入（从 Excel 粘贴）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个（多列时取第一列）：外包人员填工号，服务商填统一社会信用代码或名称，团队填团队编码"))
    exclude_codes = forms.CharField(
        label=_("批量排除（从 Excel 粘贴）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("同上，加入“指定排除”"))

    class Meta:
        model = Cycle
        fields = ["name", "period_type", "start_date", "end_date", "subject_kind", "default_template", "departments",
                  "vendors", "projects", "positions", "subjects_named_only", "include_workers", "exclude_workers",
                  "include_vendors", "exclude_vendors", "include_teams", "exclude_teams", "peer_count",
                  "peer_selection", "appeal_window_days", "goals_due", "self_review_due", "review_due",
                  "calibration_due", "confirmation_due", "seed"]
        widgets = {f: DATE for f in ("start_date", "end_date", "goals_due", "self_review_due", "review_due",
                                     "calibration_due", "confirmation_due")}
        help_texts = {"departments": _("留空表示全部"), "vendors": _("留空表示全部"), "projects": _("留空表示全部"),
                      "positions": _("留空表示全部"),
                      "subjects_named_only": _("勾选后只考核“指定纳入”的对象，不按上面的范围筛选"),
                      "peer_selection": _("上级指定：周期开启后、进入评价阶段前，由每位考核对象的上级（或绩效管理员）"
                                          "从同部门或同团队中指定恰好“互评人数”名同事；仅适用于外包人员考核")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Forms posted before the setting existed (and API-like clients) mean the default.
        self.fields["peer_selection"].required = False

    def clean_peer_selection(self) -> str:
        return self.cleaned_data.get("peer_selection") or PeerSelection.RANDOM

    def _pasted(self, mode: str, kind: str) -> None:
        """Add the subjects of a pasted column to the include or exclude list of the cycle's kind,
        looked up in that list's (scoped) queryset; unknown codes are refused with their line."""
        text = self.cleaned_data.get(f"{mode}_codes") or ""
        lines = [(i, line.split("\t")[0].strip()) for i, line in enumerate(text.splitlines(), 1)]
        lines = [(i, code) for i, code in lines if code and code not in PASTE_HEADERS]
        if not lines:
            return
        _model, include, exclude = NAMED[kind]
        target = include if mode == "include" else exclude
        field = self.fields[target]
        assert isinstance(field, SubjectsField)
        codes = {code for _i, code in lines}
        keys = PASTE_KEYS[kind]
        q = Q()
        for key in keys:
            q |= Q(**{f"{key}__in": codes})
        found: dict[str, Any] = {}
        assert field.queryset is not None
        for obj in field.queryset.filter(q):
            for key in keys:
                found.setdefault(str(getattr(obj, key)), obj)
        missing = [(i, code) for i, code in lines if code not in found]
        if missing:
            self.add_error(f"{mode}_codes", [
                _("第 %(line)d 行：“%(code)s”不存在或不在您的范围内 / Line %(line)d: “%(code)s” is unknown or outside "
                  "your scope") % {"line": i, "code": code} for i, code in missing[:10]])
            return
        chosen = list(self.cleaned_data.get(target) or [])
        known = {o.pk for o in chosen}
        chosen += [o for o in dict.fromkeys(found[code] for _i, code in lines) if o.pk not in known]
        self.cleaned_data[target] = chosen

    def scope_values(self) -> dict[str, list[int]]:
        """The scope lists for services.cycle_scope_set (written there, with their audit row)."""
        return {f: [o.pk for o in self.cleaned_data.get(f) or []] for f in FILTER_FIELDS + NAMED_FIELDS}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("peer_selection") == PeerSelection.SUPERVISOR and data.get("subject_kind") not in (
                None, SubjectKind.WORKER):
            self.add_error("peer_selection", _("只有外包人员考核可以由上级指定互评人 / Only worker cycles have peers "
                                               "chosen by the supervisor"))
        for mode in ("include", "exclude"):
            self._pasted(mode, data.get("subject_kind") or SubjectKind.WORKER)
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期 / The end date is before the start date"))
        template, kind = data.get("default_template"), data.get("subject_kind")
        if template is not None and kind and template.subject_kind != kind:
            self.add_error("default_template", _("考核方案的考核对象与周期不一致 / The template is for another subject kind"))
        previous: dt.date | None = None
        for f in ("goals_due", "self_review_due", "review_due", "calibration_due", "confirmation_due"):
            value = data.get(f)
            if value is None:
                continue
            if previous is not None and value < previous:
                self.add_error(f, _("各阶段截止日期须按顺序 / Stage deadlines must be in order"))
            previous = value
        return data


class MoveBackForm(forms.Form):
    target = forms.ChoiceField(label=_("退回到"))
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput())


class CalibrateForm(forms.Form):
    composite = forms.DecimalField(label=_("综合得分"), required=False, min_value=Decimal(0), max_value=Decimal(100),
                                   max_digits=5, decimal_places=2)
    grade = forms.ChoiceField(label=_("等级"), required=False)
    reason = forms.CharField(label=_("校准原因"), max_length=500)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("composite") is None and not data.get("grade") and not self.errors:
            raise ValidationError(_("请修改分数或等级 / Change the score or the grade"))
        return data


def validate_attachment(upload: Any) -> None:
    if upload is None:
        return
    limit = min(ATTACHMENT_MAX_BYTES, settings.OUTPERFORM_MAX_UPLOAD_BYTES)
    if upload.size and upload.size > limit:
        raise ValidationError(_("附件过大（最大 10 MB）/ The attachment is too large (10 MB at most)"))
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            _("附件类型不支持 / Unsupported file type: %s") % ", ".join(sorted(ATTACHMENT_SUFFIXES)))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("附件（可选）"), required=False, validators=[validate_attachment])


class AppealDecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("处理结果"), choices=[("1", _("申诉成立")), ("0", _("申诉驳回"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    composite = forms.DecimalField(label=_("新综合得分（可选）"), required=False, min_value=Decimal(0),
                                   max_value=Decimal(100), max_digits=5, decimal_places=2)
    grade = forms.ChoiceField(label=_("新等级（可选）"), required=False)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "measure", "target", "weight", "due_date"]
        widgets = {"due_date": DATE}


class GoalChangeForm(forms.ModelForm):
    change_reason = forms.CharField(label=_("调整原因"), max_length=300, required=False,
                                    help_text=_("调整已确认的目标须填写原因"))

    class Meta:
        model = Goal
        fields = ["title", "measure", "target", "weight", "due_date", "completion"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].initial = ""


class CompletionForm(forms.Form):
    completion = forms.DecimalField(label=_("完成度(%)"), min_value=Decimal(0), max_value=Decimal(100),
                                    max_digits=5, decimal_places=2)


class InterviewForm(forms.ModelForm):
    class Meta:
        model = Interview
        fields = ["held_on", "participants", "strengths", "gaps"]
        widgets = {"held_on": DATE, "strengths": forms.Textarea(attrs={"rows": 3}),
                   "gaps": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions: list[dict[str, str]] = list(self.instance.actions or []) if self.instance.pk else []
        self.action_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.data:
            rows = zip(self.data.getlist("action_action"), self.data.getlist("action_owner"),  # type: ignore[attr-defined]
                       self.data.getlist("action_due"), strict=False)  # type: ignore[attr-defined]
            actions = []
            for i, (action, owner, due) in enumerate(rows, 1):
                action, owner, due = action.strip(), owner.strip(), due.strip()
                if not (action or owner or due):
                    continue
                if not action:
                    self.action_errors.append(_("第 %d 行：请填写改进行动 / Row %d: the action is missing") % (i, i))
                if due:
                    try:
                        dt.date.fromisoformat(due)
                    except ValueError:
                        self.action_errors.append(
                            _("第 %d 行：日期格式应为 YYYY-MM-DD / Row %d: the date is not YYYY-MM-DD") % (i, i))
                actions.append({"action": action[:300], "owner": owner[:60], "due": due})
            self.actions = actions
            if self.action_errors:
                raise ValidationError(self.action_errors)
        return data

    def service_data(self) -> dict[str, Any]:
        return {**{k: self.cleaned_data[k] for k in self.Meta.fields}, "actions": self.actions}


class TeamForm(forms.ModelForm):
    # Searches, not a <select> of every worker or every account of the organisation.
    members = SubjectsField(Worker.objects.all(), search_url=_search_url(SubjectKind.WORKER), label=_("成员"))
    leader = forms.ModelChoiceField(
        User.objects.filter(is_active=True), required=False, label=_("负责人"),
        widget=UserPicker(search_url=reverse_lazy("cycles:user_search")),
        error_messages={"invalid_choice": _("所选账号不存在或不在您的范围内 / The chosen account is unknown or outside "
                                            "your scope")})

    class Meta:
        model = Team
        fields = ["code", "name", "department", "project", "vendor", "leader", "members"]


class PeerChoiceForm(forms.Form):
    """The peers of one appraisal, chosen among the colleagues the chooser may pick."""

    workers = SubjectsField(Worker.objects.none(), label=_("同事评价人"))

    def __init__(self, *args: Any, choosable: QuerySet[Worker], search_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["workers"]
        assert isinstance(field, SubjectsField)
        field.queryset = choosable
        field.widget.search_url = search_url
        field.error_messages["invalid_choice"] = _(
            "ID %(value)s 不是可选的同事（须为同部门或同团队、有登录账号、在您的范围内）/ Not an eligible colleague: "
            "id %(value)s")


# --- 考核方案适用规则 / 例外 --------------------------------------------------------------------------

RULE_FIELD_LABELS = {
    "subjects": _("指定对象"), "positions": _("岗位"), "position_categories": _("岗位类别"),
    "vendors": _("服务商"), "vendor_categories": _("服务商类别"), "departments": _("部门（含下级部门）"),
}


class TemplateRulesForm(forms.Form):
    """The rules of one cycle, one group of fields per template (`t<id>-<list>`): the active
    templates of the cycle's kind and any its rules already name. Only the lists the cycle's kind can
    use are shown (scope.RULE_ORDER). The view scopes the row querysets and writes the rules with
    services.overrides.cycle_template_rules_set, which checks them."""

    def __init__(self, *args: Any, cycle: Cycle, rules: list[dict[str, Any]], querysets: dict[str, QuerySet[Any]],
                 **kwargs: Any) -> None:
        from outperform.org.models import PositionCategory
        from outperform.vendors.models import VendorCategory

        from .scope import RULE_ORDER
        from .selectors import RULE_GROUP_FIELDS

        super().__init__(*args, **kwargs)
        kind = cycle.subject_kind
        by_template = {g["template"]: g for g in rules}
        self.templates = list(
            Template.objects.filter(Q(status=TemplateStatus.ACTIVE, subject_kind=kind) | Q(pk__in=list(by_template)))
            .order_by("code", "-version"))
        self.lists = [f for f, target in RULE_GROUP_FIELDS.items() if target in RULE_ORDER[kind]]
        choices = {"position_categories": PositionCategory.choices, "vendor_categories": VendorCategory.choices}
        searches = {"subjects": _search_url(kind), "vendors": _search_url(SubjectKind.VENDOR)}
        self.groups: list[tuple[Template, list[str]]] = []
        for template in self.templates:
            names = []
            for f in self.lists:
                name = f"t{template.pk}-{f}"
                field: forms.Field
                if f in choices:
                    field = forms.MultipleChoiceField(choices=choices[f], required=False,
                                                      widget=forms.SelectMultiple(attrs={"size": 6}))
                elif f in searches:
                    field = SubjectsField(querysets[f], search_url=searches[f])
                else:
                    field = forms.ModelMultipleChoiceField(querysets[f], required=False,
                                                           widget=forms.SelectMultiple(attrs={"size": 6}))
                field.label = RULE_FIELD_LABELS[f]
                field.initial = by_template.get(template.pk, {}).get(f, [])
                self.fields[name] = field
                names.append(name)
            self.groups.append((template, names))

    def bound_groups(self) -> list[tuple[Template, list[forms.BoundField]]]:
        return [(t, [self[n] for n in names]) for t, names in self.groups]

    def rules(self) -> list[dict[str, Any]]:
        """The groups for the service: a template with nothing named is left out."""
        groups = []
        for template, _names in self.groups:
            values = {f: [getattr(v, "pk", v) for v in self.cleaned_data.get(f"t{template.pk}-{f}") or []]
                      for f in self.lists}
            if any(values.values()):
                groups.append({"template": template.pk, **values})
        return groups

    def apply_service_errors(self, exc: ValidationError) -> None:
        """The service names the list (`subjects`, `positions` …) and, in the message, the template
        and the rows: the messages go on top, where they are read whole."""
        for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            label = RULE_FIELD_LABELS.get(field or "", _("考核方案") if field == "template" else "")
            self.add_error(None, [f"{label}：{e}" if label else e for e in errors])
