from django.contrib import admin
from django.urls import include, path

from entente.api import api

urlpatterns = [
    path("accounts/", include("entente.accounts.urls")),
    path("directory/", include("entente.accounts.urls_directory")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("entente.attachments.urls")),
    path("", include("entente.comments.urls")),
    path("", include("entente.agreements.urls")),
    path("", include("entente.meetings.urls")),
    path("", include("entente.training.urls")),
    path("", include("entente.liaison.urls")),
    path("", include("entente.reports.urls")),
    path("", include("entente.records.urls")),
    path("api/v1/", api.urls),
]
