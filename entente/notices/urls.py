from django.urls import path

from entente.notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/settings/", views.notice_preferences, name="notice-preferences"),
    path("notices/read/", views.notice_read_all, name="notice-read-all"),
    path("notices/<uuid:pk>/dismiss/", views.notice_dismiss_view, name="notice-dismiss"),
    path("notices/<uuid:pk>/open/", views.notice_open, name="notice-open"),
    path("follow/<str:record_type>/<uuid:pk>/", views.record_follow_view, name="record-follow"),
    path(
        "unfollow/<str:record_type>/<uuid:pk>/",
        views.record_unfollow_view,
        name="record-unfollow",
    ),
]
