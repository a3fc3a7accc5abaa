from django.urls import path

from entente.reports import agreement_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calendar/", views.calendar, name="calendar"),
    path("agreements/", agreement_views.agreement_list, name="agreement-list"),
    path("agreements/<uuid:pk>/", agreement_views.agreement_detail, name="agreement-detail"),
]
