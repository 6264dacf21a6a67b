"""How the account pages render a form's inputs, the same on every Django version.

Each input names what describes it (``aria-describedby``: its errors, then its help
text, as Django 5.2 does); errors that concern the whole form describe the first input.
An input with an error says so (``aria-invalid``), for any form on any Django version:
Django sets it from 5.0 and ``form_errors.AriaInvalidMixin`` on 4.2 for ``{{ form }}``,
but a form without the mixin (the admin's import form, a site's own) meets these tags too.
Exactly one input has ``autofocus``: the first one with an error, or the first one when
there is none, so the browser puts the cursor where the person must act, with no
JavaScript (WCAG 2.2: 3.3.1 Error Identification, 1.3.1 Info and Relationships).
"""

from __future__ import annotations

from django import template
from django.forms import BaseForm, BoundField
from django.forms.boundfield import BoundWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def error_id(field: BoundField) -> str:
    """The id of the element that lists the field's errors (Django 5.2's own name)."""
    return f"{field.auto_id}_error"


def help_id(field: BoundField) -> str:
    """The id of the element that holds the field's help text (Django 5.0's own name)."""
    return f"{field.auto_id}_helptext"


def non_field_errors_id(form: BaseForm) -> str:
    """The id of the element that lists the errors of the whole form."""
    return f"{form.prefix or 'form'}_errors"


def focus_field(form: BaseForm) -> BoundField | None:
    """The input the cursor belongs in: the first one with an error, else the first one."""
    fields = form.visible_fields()
    return next((field for field in fields if field.errors), fields[0] if fields else None)


def widget_attrs(field: BoundField) -> dict[str, str | bool]:
    """The accessibility attributes of the field's input; ``False`` removes one the
    widget itself carries (Django's login form puts ``autofocus`` on the username)."""
    described_by = []
    if field.errors:
        described_by.append(error_id(field))
    focused = focus_field(field.form)
    if focused is not None and focused.name == field.name and field.form.non_field_errors():
        described_by.insert(0, non_field_errors_id(field.form))
    if field.help_text:
        described_by.append(help_id(field))
    attrs: dict[str, str | bool] = {"autofocus": focused is not None and focused.name == field.name}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


@register.simple_tag
def accessible_input(field: BoundField) -> SafeString:
    """``{% accessible_input field %}``: the field's input with its accessibility
    attributes (see ``widget_attrs``)."""
    return field.as_widget(attrs=widget_attrs(field))


@register.simple_tag
def group_description(field: BoundField) -> SafeString:
    """``<fieldset{% group_description field %}>``: the ``aria-describedby`` of a group of
    choices (a radio group's inputs share one description), or nothing."""
    described_by = widget_attrs(field).get("aria-describedby")
    return format_html(' aria-describedby="{}"', described_by) if described_by else SafeString("")


@register.simple_tag
def accessible_radio(field: BoundField, radio: BoundWidget, first: bool) -> SafeString:
    """``{% accessible_radio field radio forloop.first %}``: one choice of a radio group.
    The group's ``<fieldset>`` carries the description (``aria-describedby`` on it); the
    first choice takes the focus when the group is where the cursor belongs."""
    focused = focus_field(field.form)
    attrs = {**radio.data["attrs"], "autofocus": first and focused is not None and focused.name == field.name}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return BoundWidget(radio.parent_widget, {**radio.data, "attrs": attrs}, radio.renderer).tag()
