from django.urls import path

from entente.core.pages import page
from entente.training import views

app_name = "training"

# Each page's URL is named after its view: views.training_list answers to "training-list";
# the forms on an activity's page after the form: "training-status" (views.DETAIL_FORMS).
urlpatterns = [
    page("trainings/", views.training_list),
    page("agreements/<uuid:agreement_pk>/trainings/new/", views.training_create),
    page("trainings/<uuid:pk>/", views.training_detail),
    page("trainings/<uuid:pk>/edit/", views.training_edit),
    *(
        path(
            f"trainings/<uuid:pk>/{form}/",
            views.training_form,
            {"which": form},
            name=f"training-{form}",
        )
        for form in views.DETAIL_FORMS
    ),
]
