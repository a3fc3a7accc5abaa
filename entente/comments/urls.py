from django.urls import path

from entente.comments import views
from entente.core.pages import page

app_name = "comments"

urlpatterns = [
    path("comments/<str:record_type>/<uuid:pk>/add/", views.comment_add, name="comment-add"),
    page("comments/<uuid:pk>/edit/", views.comment_edit),
    page("comments/<uuid:pk>/delete/", views.comment_delete),
]
