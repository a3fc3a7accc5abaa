from django.urls import path

from entente.records import views

app_name = "records"

urlpatterns = [
    path("search/", views.record_search, name="record-search"),
    path("audit/<str:record_type>/<uuid:pk>/", views.record_trail, name="record-trail"),
    path("publish/<str:record_type>/<uuid:pk>/", views.record_publish_view, name="record-publish"),
]
