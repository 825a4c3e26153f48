"""Small helpers for the delegate pages' templates."""

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def field_anchor(field: BoundField) -> str:
    """The id an error summary links to: the input itself, or the first option of a group of radio
    buttons or checkboxes (which has no single input)."""
    if field.field.widget.use_fieldset:
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def without_placeholder(field: BoundField) -> BoundField:
    """The field without its placeholder: a visible label says what to type, and a placeholder looks
    like a value already filled in. Each form instance has its own copy of its fields' widgets, so
    this changes this form only."""
    field.field.widget.attrs.pop("placeholder", None)
    return field
