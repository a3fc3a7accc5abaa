from django.urls import path

from entente.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/<str:record_type>/<int:pk>/", views.record_trail, name="record-trail"),
]
