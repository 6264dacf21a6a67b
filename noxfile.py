"""The suite on every supported Django (issue 12 §5): ``make test-matrix`` runs them all,
``nox -s django42`` one of them.

The supported releases on this project's Python (3.11): the LTS releases 4.2 and 5.2.
Django 5.0 and 5.1 are past their end of support, and 6.0 needs Python 3.12, so pip
cannot install it here (``pip index versions django`` lists nothing newer than 5.2).
Each session is a virtualenv of its own under ``.nox/``, reused between runs.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

# Session name -> the pip requirement that pins that release series.
DJANGO_RELEASES = {
    "django42": "Django>=4.2,<5.0",
    "django52": "Django>=5.2,<6.0",
}


def _suite(requirement: str):
    def run(session: nox.Session) -> None:
        session.install("-e", ".[dev]", requirement)
        session.run("python", "-m", "django", "--version")
        # -rs: a skipped test says why (the service tests name the server that is absent).
        session.run("pytest", "-rs", *session.posargs)

    run.__doc__ = f"The whole suite on {requirement}."
    return run


for _name, _requirement in DJANGO_RELEASES.items():
    nox.session(name=_name)(_suite(_requirement))
