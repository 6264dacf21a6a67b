from django.contrib import admin
from django.urls import include, path

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("cognito_auth.urls")),
    path("admin/", admin.site.urls),
    path("api/me/", api.me, name="api-me"),
]
if api.DrfMe is not None:
    urlpatterns.append(path("api/drf/me/", api.DrfMe.as_view(), name="api-drf-me"))
