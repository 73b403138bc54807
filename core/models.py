"""Model behaviour every app shares (no models of its own)."""

from django.core.exceptions import ValidationError
from django.db import models

from core.validators import line_breaks_normalised, validate_clean_text


def free_text_fields(model) -> list[models.Field]:
    """The model's text fields people type or paste into (fields with choices are picked, not typed)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]


class CleanTextMixin:
    """Text is clean wherever it enters: admin forms, imports, services and `load_plan` all call
    `full_clean()`, which comes here first.

    Line breaks of every kind become \\n (Word's \\x0b included); look-alike radicals and other
    control characters are refused with a message on the field.
    """

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        fields = [field for field in free_text_fields(type(self)) if field.name not in exclude]
        errors = {}
        for field in fields:
            value = getattr(self, field.attname)
            if isinstance(value, str):
                setattr(self, field.attname, line_breaks_normalised(value))
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in fields:
            try:
                validate_clean_text(getattr(self, field.attname))
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)
