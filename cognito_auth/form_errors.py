"""A field with errors says so to assistive technology, on every supported Django.

Django 5.0 renders ``aria-invalid="true"`` on the widget of a field that has errors
(``BoundField.build_widget_attrs``); Django 4.2 does not. The app's forms take
`AriaInvalidMixin` so that their pages are the same on both.
"""

from __future__ import annotations

from typing import Any

import django
from django import forms
from django.forms.boundfield import BoundField

# From this release on, Django marks invalid fields itself.
DJANGO_MARKS_INVALID = django.VERSION >= (5, 0)


class AriaInvalidBoundField(BoundField):
    """Django 4.2's BoundField plus 5.0's ``aria-invalid`` on a visible field with errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if not (widget or self.field.widget).is_hidden and self.errors:
            attrs["aria-invalid"] = "true"
        return attrs


class AriaInvalidMixin:
    """For a form class: its bound fields mark themselves invalid on Django 4.2 as on 5.0+."""

    fields: dict[str, forms.Field]
    _bound_fields_cache: dict[str, BoundField]

    def __getitem__(self, name: str) -> BoundField:
        bound = super().__getitem__(name)  # type: ignore[misc]
        if DJANGO_MARKS_INVALID or type(bound) is not BoundField:
            return bound  # Django's own, or a field's BoundField of its own: leave it
        upgraded = AriaInvalidBoundField(bound.form, bound.field, bound.name)
        self._bound_fields_cache[name] = upgraded
        return upgraded
