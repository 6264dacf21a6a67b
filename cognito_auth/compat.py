"""What differs between the Django versions this app supports (4.2 LTS and newer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stubs follow the newest Django
    from django.contrib.auth.decorators import login_not_required
else:
    try:
        from django.contrib.auth.decorators import login_not_required
    except ImportError:  # Django < 5.1: no LoginRequiredMiddleware, nothing to mark

        def login_not_required(view_func):
            return view_func


__all__ = ["login_not_required"]
