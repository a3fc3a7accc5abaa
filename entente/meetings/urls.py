from entente.core.pages import page
from entente.meetings.views import agenda, meeting_page, meetings

app_name = "meetings"

# Each URL is named after its view: meetings.meeting_list answers to "meeting-list".
urlpatterns = [
    page("meetings/", meetings.meeting_list),
    page("agreements/<uuid:agreement_pk>/meetings/new/", meetings.meeting_create),
    page("meetings/<uuid:pk>/", meeting_page.meeting_detail),
    page("meetings/<uuid:pk>/edit/", meetings.meeting_edit),
    page("meetings/<uuid:pk>/status/", meeting_page.meeting_status),
    page("meetings/<uuid:pk>/agenda/", agenda.meeting_agenda),
    page("meetings/<uuid:pk>/agenda/items/", agenda.agenda_add),
    page("meetings/<uuid:pk>/agenda/carry-over/", agenda.agenda_carry_over),
    page("agenda-items/<uuid:pk>/edit/", agenda.agenda_item_edit),
    page("agenda-items/<uuid:pk>/remove/", agenda.agenda_item_remove),
    page("agenda-items/<uuid:pk>/move/", agenda.agenda_item_move),
    page("meetings/<uuid:pk>/attendance/", meeting_page.attendance_set),
    page("meetings/<uuid:pk>/guests/", meeting_page.guest_add),
    page("guests/<uuid:pk>/status/", meeting_page.guest_status),
    page("guests/<uuid:pk>/remove/", meeting_page.guest_remove),
    page("meetings/<uuid:pk>/minutes/", meeting_page.minutes_edit),
    page("meetings/<uuid:pk>/decisions/", meeting_page.decision_create),
    page("decisions/<uuid:pk>/status/", meeting_page.decision_status),
    page("decisions/<uuid:pk>/commitments/", meeting_page.decision_commitments),
]
