from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting


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
