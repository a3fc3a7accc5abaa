from django.urls import path

from entente.attachments import views

app_name = "attachments"

urlpatterns = [
    path(
        "attachments/<str:record_type>/<uuid:pk>/upload/",
        views.attachment_upload,
        name="upload",
    ),
    path("attachments/<uuid:pk>/download/", views.attachment_download, name="download"),
]
