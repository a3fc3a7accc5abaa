from django.urls import path

from entente.imports import views

app_name = "imports"

urlpatterns = [
    path("agreements/<uuid:pk>/import/", views.import_upload, name="import-upload"),
    path("imports/<str:key>/", views.import_map, name="import-map"),
    path("imports/<str:key>/check/", views.import_check, name="import-check"),
]
