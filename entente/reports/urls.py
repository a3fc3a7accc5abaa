from django.urls import path

from entente.reports import agreement_views, feed_views, report_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed/", feed_views.feed_detail, name="feed-detail"),
    path("calendar/feed/create/", feed_views.feed_create, name="feed-create"),
    path("calendar/feed/revoke/", feed_views.feed_revoke, name="feed-revoke"),
    path("calendar/feed/<str:secret>.ics", feed_views.feed, name="feed-read"),
    path("agreements/", agreement_views.agreement_list, name="agreement-list"),
    path("agreements/<uuid:pk>/", agreement_views.agreement_detail, name="agreement-detail"),
    path(
        "agreements/<uuid:pk>/calendar.ics",
        feed_views.agreement_calendar,
        name="agreement-calendar",
    ),
    path(
        "agreements/<uuid:pk>/scorecard/",
        report_views.agreement_scorecard,
        name="agreement-scorecard",
    ),
    path("agreements/<uuid:pk>/report/", report_views.agreement_report, name="agreement-report"),
    path(
        "agreements/<uuid:pk>/report.pdf",
        report_views.agreement_report_pdf,
        name="agreement-report-pdf",
    ),
    path("meetings/<uuid:pk>/minutes.pdf", report_views.meeting_pdf, name="meeting-pdf"),
]
