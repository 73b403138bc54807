from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.validators import line_breaks_normalised, validate_clean_text


class CleanTextField(forms.CharField):
    """Free text a form asks for without a model field behind it (a revision's reason): cleaned
    like model text (`core.models.CleanTextMixin`) before any service sees it."""

    default_validators = [validate_clean_text]

    def to_python(self, value):
        return line_breaks_normalised(super().to_python(value))


class PlainDecimalInput(forms.NumberInput):
    """A number input showing a stored 25.0000 as 「25」 and 22.50 as 「22.5」: staff see what they typed."""

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return format(value.normalize(), "f")
        return super().format_value(value)


class PortalModelForm(forms.ModelForm):
    """A model form that never fails on a model error about a field it does not show.

    Model `clean()` names the field an error is about; when a form (an inline, a narrowed admin form)
    leaves that field out, the message is shown at the top of the form instead of raising.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget = PlainDecimalInput(attrs=field.widget.attrs)

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            placed: dict[str, list] = {}
            for name, messages in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                placed.setdefault(key, []).extend(messages)
            error = ValidationError(placed)
        super().add_error(field, error)


class NamedRowsFormSet:
    """Mixed into an admin formset: names each row's inputs by their column and their row, as in
    「実績（書かない窓口の対象手続数）」.

    The admin's tabular inlines and editable lists head each column once, in a <th> tied to no
    input, so a screen reader would announce a bare 「テキスト」 (JIS X 8341-3 1.3.1 and 4.1.2).
    """

    @staticmethod
    def row_name(obj) -> str:
        return str(obj)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk:
            row = self.row_name(form.instance)
        else:
            row = "追加する行" if index is None else f"{index + 1}行目"
        for field in form.fields.values():
            # A related-object wrapper's own attrs are shared by every form: name its inner widget.
            widget = getattr(field.widget, "widget", field.widget)
            if not widget.is_hidden:
                widget.attrs["aria-label"] = f"{field.label}（{row}）"


def with_named_rows(formset: type, row_name) -> type:
    """`formset` with its inputs named by column and by `row_name(obj)`."""
    return type(formset.__name__, (NamedRowsFormSet, formset), {"row_name": staticmethod(row_name)})
