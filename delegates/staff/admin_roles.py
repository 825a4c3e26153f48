"""The staff roles in the admin: one mixin, ``StaffRolesMixin``, put in front of every ModelAdmin of
events and delegates by ``staff_roles_apply`` (called once the admin modules are loaded, so that an
admin added later gets it too). Django's model permissions already decide which lists, forms and
actions a role has; the mixin adds what they cannot say:

- **Forums.** Staff limited to chosen forums (``StaffForumAccess``) see and act on those forums only:
  every list and every object URL goes through ``get_queryset``, narrowed by ``staff_scope`` — so do
  the actions (Django filters the selection by that queryset, forged ids included), the
  autocomplete lookups and the raw-id pop-ups (the other model's list); a change, delete or history
  page of another forum's object is a 404, as is one of an object that does not exist. The choices of
  forms (a category's forum, a session's room) and of list filters are narrowed the same way. They
  add no forum (it would be outside their forums) and do not see who is limited to what.
- **Contact details.** Without ``VIEW_CONTACT_DETAILS`` (the door team, read-only), the fields of
  ``delegates.staff.contact`` are left out of list columns, filters, search fields, the lookups a URL
  may carry (``?email__startswith=`` would be a side channel), forms, fieldsets and inlines; the
  outbox (every row an email to a person) is not shown at all.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest

from events.models import Forum

from ..models import StaffForumAccess
from .contact import contact_fields, is_contact_model, may_see_contact_details
from .selectors import staff_forum_ids, staff_is_forum_limited, staff_scope

STAFF_ROLE_APPS = ("events", "delegates")
_SEARCH_PREFIXES = "=^@"


def _first_part(name: str) -> str:
    return name.lstrip(_SEARCH_PREFIXES).split("__", 1)[0]


def _without(names, hidden: frozenset[str]) -> list:
    """``names`` (a fields list, whose items may be tuples of fields on one line) without ``hidden``."""
    kept = []
    for name in names:
        if isinstance(name, (list, tuple)):
            line = tuple(n for n in name if n not in hidden)
            if line:
                kept.append(line)
        elif not (isinstance(name, str) and _first_part(name) in hidden):
            kept.append(name)
    return kept


def _fieldsets_without(fieldsets, hidden: frozenset[str]) -> list:
    kept = []
    for title, options in fieldsets:
        fields = _without(options.get("fields", ()), hidden)
        if fields:
            kept.append((title, {**options, "fields": fields}))
    return kept


def scope_form_choices(form_class, user) -> None:
    """Narrow the choices of every model choice field of ``form_class`` (a class made for this request
    by ``get_form``/``get_formset``) to what ``user`` may see: a limited staff member neither sees nor
    can post another forum's rows."""
    if not staff_is_forum_limited(user):
        return
    for field in form_class.base_fields.values():
        if not isinstance(field, ModelChoiceField) or field.queryset is None:
            continue
        if hasattr(field, "_choices"):
            # Choices already fixed by the admin for the object's own forum (the rooms of a forum's
            # sessions inline), which is one of the user's, or the page would be a 404.
            continue
        if field.queryset.model._meta.app_label in STAFF_ROLE_APPS:
            field.queryset = staff_scope(field.queryset, user)


class ScopedChoicesFilter:
    """For a related-field list filter: offer only the rows the user may see (forums, categories,
    rooms...)."""

    def field_choices(self, field, request: HttpRequest, model_admin: admin.ModelAdmin):
        choices = super().field_choices(field, request, model_admin)
        ids = staff_forum_ids(request.user)
        if ids is None:
            return choices
        related = field.related_model
        if related is Forum:
            allowed = ids
        else:
            visible = staff_scope(related._default_manager.all(), request.user)
            allowed = set(visible.values_list("pk", flat=True))
        return [(pk, label) for pk, label in choices if pk in allowed]


_scoped_filter_classes: dict[type, type] = {}


def scoped_filter(filter_class: type) -> type:
    if filter_class not in _scoped_filter_classes:
        _scoped_filter_classes[filter_class] = type(
            f"Scoped{filter_class.__name__}", (ScopedChoicesFilter, filter_class), {}
        )
    return _scoped_filter_classes[filter_class]


class StaffRolesMixin:
    """In front of a ModelAdmin (see the module's docstring)."""

    # --- What the role and the forums allow at all ---------------------------------------------------

    def _staff_allows(self, request: HttpRequest) -> bool:
        if is_contact_model(self.model) and not may_see_contact_details(request.user):
            return False
        # Who is limited to which forums is for staff who work on every forum.
        return not (self.model is StaffForumAccess and staff_is_forum_limited(request.user))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._staff_allows(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._staff_allows(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._staff_allows(request) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self.model is Forum and staff_is_forum_limited(request.user):
            return False  # a new forum would lie outside their forums
        return self._staff_allows(request) and super().has_add_permission(request)

    # --- Forums ------------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return staff_scope(super().get_queryset(request), request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        """The object of a change, delete or history URL among those the user may see. For staff limited
        to chosen forums, another forum's object is a 404, and so is one that does not exist (a
        difference would tell them which ids exist); others get Django's "does not exist" redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None and staff_is_forum_limited(request.user):
            raise Http404("Not found")
        return obj

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope_form_choices(form, request.user)
        return form

    def get_formsets_with_inlines(self, request: HttpRequest, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            scope_form_choices(formset.form, request.user)
            yield formset, inline

    def get_list_filter(self, request: HttpRequest):
        list_filter = self._visible(request, super().get_list_filter(request))
        if not staff_is_forum_limited(request.user):
            return list_filter
        return [self._scoped_filter_spec(spec) for spec in list_filter]

    def _scoped_filter_spec(self, spec):
        if isinstance(spec, (list, tuple)):
            name, filter_class = spec[0], spec[1]
        elif isinstance(spec, str):
            name, filter_class = spec, admin.RelatedFieldListFilter
        else:
            return spec  # a SimpleListFilter works on the (scoped) queryset
        try:
            field = get_fields_from_path(self.model, name)[-1]
        except FieldDoesNotExist:
            return spec
        if not (field.is_relation and isinstance(filter_class, type)):
            return spec
        if not issubclass(filter_class, admin.RelatedFieldListFilter):
            return spec
        return (name, scoped_filter(filter_class))

    # --- Contact details ---------------------------------------------------------------------------

    def _hidden(self, request: HttpRequest) -> frozenset[str]:
        if may_see_contact_details(request.user):
            return frozenset()
        return contact_fields(self.model)

    def _visible(self, request: HttpRequest, specs) -> list:
        hidden = self._hidden(request)
        if not hidden:
            return list(specs)
        kept = []
        for spec in specs:
            if isinstance(spec, (list, tuple)):
                name = spec[0]
            elif isinstance(spec, str):
                name = spec
            else:
                name = getattr(spec, "parameter_name", "")
            if _first_part(name) not in hidden:
                kept.append(spec)
        return kept

    def get_list_display(self, request: HttpRequest):
        return _without(super().get_list_display(request), self._hidden(request))

    def get_list_display_links(self, request: HttpRequest, list_display):
        links = super().get_list_display_links(request, list_display)
        return _without(links, self._hidden(request)) if links else links

    def get_search_fields(self, request: HttpRequest):
        return _without(super().get_search_fields(request), self._hidden(request))

    def get_sortable_by(self, request: HttpRequest):
        return _without(super().get_sortable_by(request), self._hidden(request))

    def lookup_allowed(self, lookup: str, value, request: HttpRequest | None = None) -> bool:
        if request is not None and _first_part(lookup) in self._hidden(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fields(self, request: HttpRequest, obj=None):
        return _without(super().get_fields(request, obj), self._hidden(request))

    def get_fieldsets(self, request: HttpRequest, obj=None):
        hidden = self._hidden(request)
        fieldsets = super().get_fieldsets(request, obj)
        return _fieldsets_without(fieldsets, hidden) if hidden else fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return _without(super().get_readonly_fields(request, obj), self._hidden(request))

    def get_inline_instances(self, request: HttpRequest, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if may_see_contact_details(request.user):
            return inlines
        kept = []
        for inline in inlines:
            if is_contact_model(inline.model):
                continue
            hidden = contact_fields(inline.model)
            if hidden:
                # A fresh instance per request: its lists can be narrowed in place.
                if inline.fields:
                    inline.fields = _without(inline.fields, hidden)
                if inline.fieldsets:
                    inline.fieldsets = _fieldsets_without(inline.fieldsets, hidden)
                inline.readonly_fields = _without(inline.readonly_fields, hidden)
            kept.append(inline)
        return kept


def staff_roles_apply(site: admin.AdminSite = admin.site) -> None:
    """Put ``StaffRolesMixin`` in front of every ModelAdmin of events and delegates registered on
    ``site`` (events knows nothing of delegates, so its admin classes cannot name the mixin)."""
    for label in STAFF_ROLE_APPS:
        for model in apps.get_app_config(label).get_models():
            if not site.is_registered(model):
                continue
            current = type(site.get_model_admin(model))
            if issubclass(current, StaffRolesMixin):
                continue
            with_roles = type(
                current.__name__,
                (StaffRolesMixin, current),
                {
                    "__module__": current.__module__,
                    "__qualname__": current.__qualname__,
                    "__doc__": current.__doc__,
                },
            )
            site.unregister(model)
            site.register(model, with_roles)
