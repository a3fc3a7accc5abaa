from django.urls import path

from entente.training import views

app_name = "training"

urlpatterns = [
    path("trainings/", views.training_list, name="training-list"),
    path(
        "agreements/<int:agreement_pk>/trainings/new/",
        views.training_create,
        name="training-create",
    ),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training-edit"),
    path("trainings/<int:pk>/status/", views.training_status, name="training-status"),
    path(
        "trainings/<int:pk>/participation/",
        views.training_participation,
        name="training-participation",
    ),
    path("trainings/<int:pk>/evaluation/", views.training_evaluation, name="training-evaluation"),
]
