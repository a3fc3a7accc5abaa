from django.urls import path

from entente.liaison import views

app_name = "liaison"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("agreements/<int:pk>/requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/acknowledge/", views.request_acknowledge, name="request-acknowledge"),
    path("requests/<int:pk>/clarify/", views.request_clarify, name="request-clarify"),
    path(
        "requests/<int:pk>/clarification/",
        views.request_clarification_provide,
        name="request-clarification-provide",
    ),
    path("requests/<int:pk>/answer/", views.request_answer, name="request-answer"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request-refuse"),
    path("requests/<int:pk>/close/", views.request_close, name="request-close"),
    path("requests/<int:pk>/messages/", views.message_post, name="message-post"),
]
