from entente.core.pages import page
from entente.meetings.views import agenda, meeting_page, meetings

app_name = "meetings"

# Each URL is named after its view: meetings.meeting_list answers to "meeting-list".
urlpatterns = [
    page("meetings/", meetings.meeting_list),
    page("agreements/<int:agreement_pk>/meetings/new/", meetings.meeting_create),
    page("meetings/<int:pk>/", meeting_page.meeting_detail),
    page("meetings/<int:pk>/edit/", meetings.meeting_edit),
    page("meetings/<int:pk>/status/", meeting_page.meeting_status),
    page("meetings/<int:pk>/agenda/", agenda.meeting_agenda),
    page("meetings/<int:pk>/agenda/items/", agenda.agenda_add),
    page("meetings/<int:pk>/agenda/carry-over/", agenda.agenda_carry_over),
    page("meetings/<int:pk>/attendance/", meeting_page.attendance_set),
    page("meetings/<int:pk>/minutes/", meeting_page.minutes_edit),
    page("meetings/<int:pk>/decisions/", meeting_page.decision_create),
    page("decisions/<int:pk>/status/", meeting_page.decision_status),
    page("decisions/<int:pk>/commitments/", meeting_page.decision_commitments),
]
