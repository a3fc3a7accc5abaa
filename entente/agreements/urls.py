from django.urls import path

from entente.agreements.views import agreements, commitments
from entente.core.pages import page

app_name = "agreements"

urlpatterns = [
    page("commitments/", commitments.commitment_list),
    path(
        "agreements/<uuid:pk>/commitments/new/",
        commitments.commitment_create_view,
        name="commitment-create",
    ),
    page("commitments/bulk-status/", commitments.commitment_bulk_status),
    page("commitments/<uuid:pk>/", commitments.commitment_detail),
    page("commitments/<uuid:pk>/edit/", commitments.commitment_edit),
    page("commitments/<uuid:pk>/status/", commitments.commitment_status),
    path(
        "commitments/<uuid:pk>/reports/",
        commitments.progress_report_create,
        name="report-create",
    ),
    path(
        "reports/<uuid:pk>/accept/",
        commitments.progress_report_accept_view,
        name="report-accept",
    ),
    path(
        "reports/<uuid:pk>/answer/",
        commitments.progress_report_answer_view,
        name="report-answer",
    ),
    # The agreement and its parts; each URL is named after its view.
    page("agreements/new/", agreements.agreement_create),
    page("agreements/<uuid:pk>/edit/", agreements.agreement_edit),
    page("agreements/<uuid:pk>/events/new/", agreements.event_create),
    page("events/<uuid:pk>/edit/", agreements.event_edit),
    page("agreements/<uuid:pk>/clauses/new/", agreements.clause_create),
    page("clauses/<uuid:pk>/edit/", agreements.clause_edit),
    page("agreements/<uuid:pk>/areas/new/", agreements.area_create),
    page("areas/<uuid:pk>/edit/", agreements.area_edit),
    page("agreements/<uuid:pk>/signatories/new/", agreements.signatory_add),
    page("signatories/<uuid:pk>/edit/", agreements.signatory_edit),
    page("signatories/<uuid:pk>/remove/", agreements.signatory_remove),
]
