from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting


class NativeDateInput(forms.DateInput):
    """``<input type="date">``. Its value must be ISO (yyyy-mm-dd) whatever the page's
    language: rendered in the British format (16/01/2025) the browser shows an empty field
    and the form loses the date on a redisplay."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NativeTimeInput(forms.TimeInput):
    """``<input type="time">``: 24-hour hh:mm, as browsers send and expect it."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form field it names (or on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def api_validation_error(exc: ValidationError):
    """The same error as a DRF 400 body: {field: [messages]}."""
    from rest_framework.exceptions import ValidationError as DRFValidationError

    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD_ERRORS if field == NON_FIELD_ERRORS else field): [
                message for error in errors for message in error.messages
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = {NON_FIELD_ERRORS: exc.messages}
    return DRFValidationError(detail)


class FormRenderer(TemplatesSetting):
    """Every ``{{ form }}`` and ``{{ form.field.as_field_group }}`` uses our markup: a label,
    help text tied with aria-describedby, and the error right next to the field."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
