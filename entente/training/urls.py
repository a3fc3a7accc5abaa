from entente.core.pages import page
from entente.training import views

app_name = "training"

# Each page's URL is named after its view: views.training_list answers to "training-list".
urlpatterns = [
    page("trainings/", views.training_list),
    page("agreements/<int:agreement_pk>/trainings/new/", views.training_create),
    page("trainings/<int:pk>/", views.training_detail),
    page("trainings/<int:pk>/edit/", views.training_edit),
    page("trainings/<int:pk>/status/", views.training_status),
    page("trainings/<int:pk>/participation/", views.training_participation),
    page("trainings/<int:pk>/evaluation/", views.training_evaluation),
]
