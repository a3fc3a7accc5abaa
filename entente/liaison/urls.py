from django.urls import path

from entente.liaison import views

app_name = "liaison"

# The forms on a request's page: path under requests/<pk>/, action of views.ACTIONS, URL name.
ACTIONS = [
    ("acknowledge", "acknowledge", "request-acknowledge"),
    ("clarify", "clarify", "request-clarify"),
    ("clarification", "provide", "request-clarification-provide"),
    ("answer", "answer", "request-answer"),
    ("refuse", "refuse", "request-refuse"),
    ("close", "close", "request-close"),
    ("messages", "post", "message-post"),
]

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("agreements/<uuid:pk>/requests/new/", views.request_create, name="request-create"),
    path("requests/<uuid:pk>/", views.request_detail, name="request-detail"),
    *(
        path(f"requests/<uuid:pk>/{segment}/", views.request_action, {"action": action}, name=name)
        for segment, action, name in ACTIONS
    ),
]
