"""For tests only: which worker process answered (``X-Worker-Pid``).

The settings add it only when ``EXAMPLE_PROJECT_WORKER_PID_HEADER`` is true, as the
gunicorn stack's tests set it: they must show that every one of the workers sees a change.
A production site would not tell strangers its process ids.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Worker-Pid"


class WorkerPidMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response[HEADER] = str(os.getpid())
        return response
