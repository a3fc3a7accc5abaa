from django.urls import path

from entente.meetings.views import agenda, meeting_page, meetings

app_name = "meetings"

urlpatterns = [
    path("meetings/", meetings.meeting_list, name="meeting-list"),
    path(
        "agreements/<int:agreement_pk>/meetings/new/",
        meetings.meeting_create,
        name="meeting-create",
    ),
    path("meetings/<int:pk>/", meeting_page.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/status/", meeting_page.meeting_status, name="meeting-status"),
    path("meetings/<int:pk>/agenda/", agenda.meeting_agenda, name="meeting-agenda"),
    path("meetings/<int:pk>/agenda/items/", agenda.agenda_add, name="agenda-add"),
    path(
        "meetings/<int:pk>/agenda/carry-over/",
        agenda.agenda_carry_over,
        name="agenda-carry-over",
    ),
    path("meetings/<int:pk>/attendance/", meeting_page.attendance_set, name="attendance-set"),
    path("meetings/<int:pk>/minutes/", meeting_page.minutes_edit, name="minutes-edit"),
    path("meetings/<int:pk>/decisions/", meeting_page.decision_create, name="decision-create"),
    path("decisions/<int:pk>/status/", meeting_page.decision_status, name="decision-status"),
    path(
        "decisions/<int:pk>/commitments/",
        meeting_page.decision_commitments,
        name="decision-commitments",
    ),
]
