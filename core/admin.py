"""Admin base classes shared by every app: validated forms, scoped history, read-only lists, revisions."""

import dataclasses
import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from core.forms import PortalModelForm, with_named_rows
from core.validators import whole_number


class PortalHistoryHelper(HistoricalRecordContextHelper):
    """Shows history values as staff know them: choice labels, and 「（なし）」 for an empty link.

    Changes to `hidden` fields are left out, so a history page shows no more than the change form.
    """

    def __init__(self, model, historical_record, *, hidden: set[str]):
        super().__init__(model, historical_record)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        shown = [change for change in delta.changes if change.field not in self.hidden]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or (field.is_relation and getattr(value, "pk", "") is None):
            return "（なし）"
        if value == "":
            return "（空欄）"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return super().prepare_delta_change_value(change, value)


class ListedLookupsOnly:
    """A list filters only through its own filters: any other query-string name is refused (400).

    Django's admin would otherwise filter on any of the model's own fields, so
    `?internal_note__startswith=予` would reveal a hidden field one character at a time by
    counting rows. Search (`q`), ordering, paging and popup names never reach `lookup_allowed`.
    """

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.filter_parameters(request)

    def filter_parameters(self, request) -> set[str]:
        """The query-string names read by the list's filters and its date hierarchy."""
        names = set()
        if self.date_hierarchy:
            names |= {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                names.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, (list, tuple)) else item
            names |= _field_filter_parameters(path, get_fields_from_path(self.model, path)[-1])
        return names


def _field_filter_parameters(path: str, field) -> set[str]:
    """The names Django's filter for this kind of field reads (its `expected_parameters()`)."""
    if field.is_relation:
        return {f"{path}__{field.target_field.name}__exact", f"{path}__isnull"}
    if field.choices or isinstance(field, models.BooleanField):
        return {f"{path}__exact", f"{path}__isnull"}
    if isinstance(field, models.DateField):  # DateTimeField included
        return {f"{path}__gte", f"{path}__lt", f"{path}__isnull"}
    return {path, f"{path}__isnull"}  # a list of the values in use


class PortalAdmin(ListedLookupsOnly, SimpleHistoryAdmin):
    """Base of every admin here: validated forms, and history only for rows the user may see."""

    form = PortalModelForm
    list_per_page = 50
    # Fields that, once the plan period has begun, change only through a revision service (an action).
    revised_fields: list[str] = []

    def row_name(self, obj) -> str:
        """The row an editable list's inputs belong to, in their accessible names."""
        return str(obj)

    def get_changelist_formset(self, request, **kwargs):
        return with_named_rows(super().get_changelist_formset(request, **kwargs), self.row_name)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.revised_fields and obj.plan.has_started:
            fields += [field for field in self.revised_fields if field not in fields]
        return fields

    def get_object(self, request, object_id, from_field=None):
        """Another department's object answers 404, not a redirect that would confirm it exists.

        Fetched once per request: a page that reads the object before Django's view does (the entry
        page, the history) gets the same instance, not a second copy of it and its prefetched rows."""
        fetched = request.__dict__.setdefault("_admin_objects", {})
        key = (self.model, object_id, from_field)
        if key not in fetched:
            obj = super().get_object(request, object_id, from_field)
            if obj is None:
                raise Http404("指定されたデータは見つからないか、閲覧する権限がありません。")
            fetched[key] = obj
        return fetched[key]

    def history_hidden_fields(self, request) -> set[str]:
        """Fields whose changes this user may not read in the history (e.g. the DX office's notes)."""
        return set()

    def get_historical_record_context_helper(self, request, historical_record):
        return PortalHistoryHelper(self.model, historical_record, hidden=self.history_hidden_fields(request))

    def history_view_title(self, request, obj):
        return f"変更の履歴：{obj}"

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)  # 404 unless the user may see the object
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, to read: history never writes (that would bypass the workflow's services)."""
        if request.method != "GET":
            raise PermissionDenied("履歴からの復元はできません。")
        if whole_number(version_id) is None:
            raise Http404
        self.get_object(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyMixin:
    """Lists to search and pages to read: the rows are written elsewhere (a service, a parent's page)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PortalInline(admin.TabularInline):
    form = PortalModelForm
    extra = 0

    def row_name(self, obj) -> str:
        """The row its inputs belong to, in their accessible names (「実績（書かない窓口の対象手続数）」)."""
        return str(obj)

    def get_formset(self, request, obj=None, **kwargs):
        return with_named_rows(super().get_formset(request, obj, **kwargs), self.row_name)


class RevisedInline(PortalInline):
    """Rows that, once the plan period has begun, change only through a revision action."""

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.plan.has_started

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


def revision_action(model_admin, request, queryset, *, form_class, plan, perform, title: str):
    """An admin action that asks for a revision's year and reason, then applies `perform` to each row.

    All rows change or none: a refusal on one rolls back the others and is shown on the form,
    next to the field it concerns.
    """
    form = form_class(request.POST if "apply" in request.POST else None, plan=plan)
    if form.is_valid():
        try:
            with transaction.atomic():
                for obj in queryset:
                    perform(obj, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, f"{title}：{queryset.count()}件に適用し、計画の見直しとして記録しました。"
            )
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST.get("action"),
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/revise.html", context)


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.error_dict.items():
        form.add_error(field if field in form.fields else None, messages_)
