"""A 400, not a 500, for a form body declared in a charset other than UTF-8.

Since Django 5.0 (ticket #34709) reading ``request.POST`` of an
``application/x-www-form-urlencoded`` body whose ``charset`` is not ``utf-8`` raises
``BadRequest``. ``CsrfViewMiddleware`` reads it first; Django then answers with
``handler400``, whose ``requires_csrf_token`` reads ``request.POST`` again, raises again,
and the 400 becomes a 500 (with ``DEBUG`` on, the technical error page crashes the same
way). ``FormCharsetMiddleware``, listed before ``CsrfViewMiddleware``, answers such a
request before anything reads its body.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.deprecation import MiddlewareMixin

from .messages import FORM_NOT_UTF8

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def undecodable_form(request: HttpRequest) -> bool:
    """Whether Django would refuse this request's form body: the condition of
    ``HttpRequest._load_post_and_files`` (a charset Python knows that is not ``utf-8``;
    Django ignores one Python does not know)."""
    encoding = request.encoding
    return request.content_type == FORM_CONTENT_TYPE and encoding is not None and encoding.lower() != "utf-8"


class FormCharsetMiddleware(MiddlewareMixin):
    """Answers 400 to a form body in another charset than UTF-8 (see the module's text).
    Put it before ``django.middleware.csrf.CsrfViewMiddleware``; sync and async."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if undecodable_form(request):
            return HttpResponseBadRequest(str(FORM_NOT_UTF8), content_type="text/plain; charset=utf-8")
        return None
