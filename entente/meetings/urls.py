from django.urls import path

from entente.meetings import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path(
        "agreements/<int:agreement_pk>/meetings/new/",
        views.meeting_create,
        name="meeting-create",
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="meeting-status"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting-agenda"),
    path("meetings/<int:pk>/agenda/items/", views.agenda_add, name="agenda-add"),
    path(
        "meetings/<int:pk>/agenda/carry-over/",
        views.agenda_carry_over,
        name="agenda-carry-over",
    ),
    path("meetings/<int:pk>/attendance/", views.attendance_set, name="attendance-set"),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes-edit"),
    path("meetings/<int:pk>/decisions/", views.decision_create, name="decision-create"),
    path("decisions/<int:pk>/status/", views.decision_status, name="decision-status"),
    path(
        "decisions/<int:pk>/commitments/",
        views.decision_commitments,
        name="decision-commitments",
    ),
]
