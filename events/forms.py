"""Forms for forums and their programme."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Forum


def _next_year(value: str, year: int) -> str:
    """``value`` with the forum's year replaced by the next one ("AMF 2022" → "AMF 2023")."""
    return re.sub(rf"\b{year}\b", str(year + 1), value)


class ForumCopyForm(forms.Form):
    """What "copy this forum" asks for: the new forum's name, web address and first day."""

    name = forms.CharField(label=_("Name of the new forum"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=80,
        help_text=_("Used in public web addresses; letters, digits and hyphens."),
    )
    start_date = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Every session moves by the same number of days and keeps its time of day."),
    )

    @classmethod
    def initial_for(cls, forum: Forum) -> dict[str, str | date]:
        """A guess at next year's edition: the same name, slug and dates one year on."""
        year = forum.start_date.year
        try:
            start = forum.start_date.replace(year=year + 1)
        except ValueError:  # 29 February
            start = forum.start_date.replace(year=year + 1, day=28)
        return {
            "name": _next_year(forum.name, year),
            "slug": _next_year(forum.slug, year),
            "start_date": start,
        }

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Forum.objects.filter(slug=slug).exists():
            raise ValidationError(_("A forum with this slug already exists."), code="unique")
        return slug
