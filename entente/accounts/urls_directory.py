"""The directory of each party, and its party administrator's pages: under /directory/."""

from django.urls import path

from entente.accounts import views_directory as views
from entente.core.pages import page

app_name = "directory"

urlpatterns = [
    page("", views.party_list),
    page("<slug:code>/", views.party_detail),
    page("<slug:code>/units/new/", views.unit_create),
    page("<slug:code>/units/<int:pk>/", views.unit_edit),
    page("<slug:code>/contacts/new/", views.contact_create),
    page("<slug:code>/contacts/<uuid:pk>/", views.contact_edit),
    page("<slug:code>/contacts/<uuid:pk>/remove/", views.contact_remove),
    page("<slug:code>/members/", views.member_list),
    path("<slug:code>/members/<str:username>/role/", views.member_role, name="member-role"),
    path(
        "<slug:code>/members/<str:username>/deactivate/",
        views.member_deactivate,
        name="member-deactivate",
    ),
]
