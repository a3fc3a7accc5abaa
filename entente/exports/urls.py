from django.urls import path

from entente.exports import views

app_name = "exports"

urlpatterns = [
    path(
        "commitments/export/", views.list_export, {"name": "commitments"}, name="commitment-export"
    ),
    path("meetings/export/", views.list_export, {"name": "meetings"}, name="meeting-export"),
    path("trainings/export/", views.list_export, {"name": "trainings"}, name="training-export"),
    path("requests/export/", views.list_export, {"name": "requests"}, name="request-export"),
    path("agreements/export/", views.list_export, {"name": "portfolio"}, name="portfolio-export"),
    path("contacts/export/", views.list_export, {"name": "contacts"}, name="contact-export"),
    path("agreements/<uuid:pk>/export/", views.agreement_export, name="agreement-export"),
]
