from django.urls import path

from entente.exports import views

app_name = "exports"

urlpatterns = [
    path("commitments/export/", views.commitment_export, name="commitment-export"),
    path("meetings/export/", views.meeting_export, name="meeting-export"),
    path("trainings/export/", views.training_export, name="training-export"),
    path("requests/export/", views.request_export, name="request-export"),
    path("agreements/export/", views.portfolio_export, name="portfolio-export"),
    path("contacts/export/", views.contact_export, name="contact-export"),
    path("agreements/<uuid:pk>/export/", views.agreement_export, name="agreement-export"),
]
