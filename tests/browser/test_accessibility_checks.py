"""The accessibility checks themselves: on a page built to fail them, each one fails."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser]

FAULTY = """<!DOCTYPE html><html><head><title>Faulty</title></head><body><main>
<ul class="errorlist"><li>An error tied to nothing.</li></ul>
<input type="text" name="unlabelled">
<label for="id_code">Code</label><input type="text" name="code" id="id_code" aria-invalid="true">
<label for="id_other">Other</label><input type="text" name="other" id="id_other" autofocus>
<div style="width: 500px">Too wide</div>
</main></body></html>"""


def test_a_faulty_page_fails_every_check(page, journey, site_url):
    page.route(lambda url: url.endswith("/faulty/"), lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=FAULTY,
    ))
    page.goto("/faulty/")
    report = journey.check("faulty", ours=True)
    assert {"label", "html-has-lang"} <= {violation["id"] for violation in report.blocking}
    assert report.scroll_width > 320
    assert report.problems == [
        "unlabelled: no label",
        "code: marked invalid, but no error is tied to it",
        "error tied to no input: An error tied to nothing.",
        "autofocus on [other], expected on code",
        "focus on other, expected on code",
    ]
