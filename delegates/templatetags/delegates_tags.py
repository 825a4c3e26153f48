"""Small helpers for the delegate pages' templates."""

import threading
from collections import OrderedDict

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.forms import BoundField, ModelChoiceField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

FIELD_TEMPLATE = "delegates/includes/field.html"
CHOICE_GROUP_TEMPLATE = "delegates/includes/choice_group.html"  # radio buttons, in a fieldset
# Rendered empty fields of unbound forms, per process: the registration form has some thirty fields and
# rendering each through Django's widget templates costs about a millisecond. An unbound field's HTML
# depends only on what the key holds, so the same HTML is served again until the process restarts
# (which is also when translations or templates change). Bounded: a few forms × languages × values.
# A plain dictionary rather than Django's local-memory cache: measured on the registration form
# (bench/README.md), serving its empty fields from LocMemCache, which pickles every value, took 1.6 ms
# a form against 0.6 ms from this dictionary (18 ms rendering them): a millisecond more per page.
FIELD_CACHE_SIZE = 512
_field_cache: OrderedDict[tuple, SafeString] = OrderedDict()
_field_cache_lock = threading.Lock()


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


def _default_value(field: BoundField):
    """What the field shows before anyone fills it in: the model field's default, else the form
    field's initial value."""
    model = getattr(getattr(field.form, "_meta", None), "model", None)
    if model is not None:
        try:
            return model._meta.get_field(field.name).get_default()
        except FieldDoesNotExist:
            pass
    return field.field.initial


def _field_cache_key(field: BoundField, options: dict) -> tuple | None:
    """What an empty field's HTML depends on, or None when it must be rendered every time.

    A form opts in by saying what its empty fields depend on besides the language, the value and the
    tag's options: ``field_cache_scope()`` (a name it chooses and, e.g., its forum) — an explicit
    promise, never read from the form's class, module or other internals that a refactor could change
    silently. Not kept: a bound form (what was typed, its errors), a value filled in beforehand (the
    user's email, the details of a registration being edited: somebody's data), and options from the
    database (categories and sessions with their seats, which change while the process runs)."""
    form = field.form
    scope = getattr(form, "field_cache_scope", None)
    if scope is None or form.is_bound or isinstance(field.field, ModelChoiceField):
        return None
    value = field.value()
    if value not in (None, "", [], ()) and value != _default_value(field):
        return None
    return (
        scope(),
        field.name,
        field.auto_id,
        get_language(),
        repr(value),
        tuple(sorted((name, str(option)) for name, option in options.items())),
    )


@register.simple_tag
def form_field(field: BoundField, **options) -> SafeString:
    """One field of a delegate form: label, hint, error, input (``field.html``), or for radio buttons a
    fieldset with a legend (``choice_group.html``). Options: ``wide`` and ``help_html`` (safe HTML after
    the help text)."""
    key = _field_cache_key(field, options)
    if key is not None:
        with _field_cache_lock:
            html = _field_cache.get(key)
            if html is not None:
                _field_cache.move_to_end(key)
                return html
    name = CHOICE_GROUP_TEMPLATE if field.widget_type == "radioselect" else FIELD_TEMPLATE
    html = mark_safe(render_to_string(name, {"field": field, **options}))  # noqa: S308 - a template's output
    if key is not None:
        with _field_cache_lock:
            _field_cache[key] = html
            while len(_field_cache) > FIELD_CACHE_SIZE:
                _field_cache.popitem(last=False)
    return html


def clear_field_cache() -> None:
    with _field_cache_lock:
        _field_cache.clear()
