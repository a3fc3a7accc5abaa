from django.urls import path

from entente.agreements import views

app_name = "agreements"

urlpatterns = [
    path("commitments/", views.commitment_list, name="commitment-list"),
    path(
        "agreements/<uuid:pk>/commitments/new/",
        views.commitment_create_view,
        name="commitment-create",
    ),
    path("commitments/bulk-status/", views.commitment_bulk_status, name="commitment-bulk-status"),
    path("commitments/<uuid:pk>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/<uuid:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path("commitments/<uuid:pk>/status/", views.commitment_status, name="commitment-status"),
    path(
        "commitments/<uuid:pk>/reports/",
        views.progress_report_create,
        name="report-create",
    ),
    path("reports/<uuid:pk>/accept/", views.progress_report_accept_view, name="report-accept"),
    path("reports/<uuid:pk>/answer/", views.progress_report_answer_view, name="report-answer"),
]
