"""The admin pages of registrations as a browser sees them, for the admin tests: categories made for
them, and what a browser posts back from a change form."""

from tests.factories import DelegateCategoryFactory


def make_category(forum, *, name="Mayor / Governor", capacity=None, requires_approval=False, **extra):
    slug = name.lower().replace(" / ", "-").replace(" ", "-")
    return DelegateCategoryFactory(
        forum=forum, name=name, slug=slug, capacity=capacity, requires_approval=requires_approval, **extra
    )


def form_data(response) -> dict:
    """What the browser would post back: the form's current values and the inlines' management forms."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data
