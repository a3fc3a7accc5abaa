from django.urls import path

from entente.notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/read/", views.notice_read_all, name="notice-read-all"),
    path("notices/<uuid:pk>/dismiss/", views.notice_dismiss_view, name="notice-dismiss"),
    path("notices/<uuid:pk>/open/", views.notice_open, name="notice-open"),
]
