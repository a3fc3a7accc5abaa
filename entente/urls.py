from django.contrib import admin
from django.urls import include, path

from entente.accounts import views as accounts_views
from entente.api import api

urlpatterns = [
    path("accounts/", include("entente.accounts.urls")),
    path("directory/", include("entente.accounts.urls_directory")),
    # Django's language switch, which also keeps a signed-in user's choice in their profile.
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("entente.attachments.urls")),
    path("", include("entente.comments.urls")),
    path("", include("entente.agreements.urls")),
    path("", include("entente.meetings.urls")),
    path("", include("entente.training.urls")),
    path("", include("entente.liaison.urls")),
    path("", include("entente.reports.urls")),
    path("", include("entente.exports.urls")),
    path("", include("entente.records.urls")),
    path("", include("entente.imports.urls")),
    path("", include("entente.notices.urls")),
    path("", include("entente.sync.urls")),
    path("api/v1/", api.urls),
]

# A database outage answers 503 or 507 saying so, not a bare 500.
handler500 = "entente.core.pages.server_error"
