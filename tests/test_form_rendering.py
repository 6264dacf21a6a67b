"""The account pages' form rendering (cognito_auth/form_fields.html and its template tags):
the same accessible markup on every Django version, without a browser."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms
from django.template.loader import render_to_string


class Inputs(HTMLParser):
    """Every input's attributes and every element's id, from rendered HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit"):
            self.inputs[values["name"]] = values


class Example(forms.Form):
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True}))
    code = forms.CharField(help_text="From the email.")
    password = forms.CharField(widget=forms.PasswordInput)

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def render(form: forms.Form) -> Inputs:
    return Inputs(render_to_string("cognito_auth/form_fields.html", {"form": form}))


def test_unbound_form_focuses_the_first_input_and_ties_help_text():
    page = render(Example())
    assert [name for name, attrs in page.inputs.items() if "autofocus" in attrs] == ["username"]
    assert page.inputs["code"]["aria-describedby"] == "id_code_helptext"
    assert "id_code_helptext" in page.ids
    assert not any("aria-invalid" in attrs for attrs in page.inputs.values())


def test_errors_are_tied_to_their_input_and_the_first_one_has_the_focus():
    page = render(Example({"username": "alice", "code": "", "password": ""}))
    # The widget's own autofocus on username gives way to the first input with an error.
    assert [name for name, attrs in page.inputs.items() if "autofocus" in attrs] == ["code"]
    assert page.inputs["code"]["aria-invalid"] == "true"
    assert page.inputs["code"]["aria-describedby"] == "form_errors id_code_error id_code_helptext"
    assert page.inputs["password"]["aria-describedby"] == "id_password_error"
    assert "aria-invalid" not in page.inputs["username"]
    assert {"form_errors", "id_code_error", "id_password_error"} <= page.ids


def test_errors_of_the_whole_form_describe_the_first_input():
    page = render(Example({"username": "alice", "code": "1", "password": "x"}))
    assert page.inputs["username"]["aria-describedby"] == "form_errors"
    assert "autofocus" in page.inputs["username"]
    assert "form_errors" in page.ids
