"""What the API does alike to an agreement and to a commitment: share it with the other
parties, or change its marking. Each answers the changed record, its ETag set."""

from django.http import HttpResponse

from entente.accounts.selectors import resolve_users
from entente.agreements.schemas import MarkingIn
from entente.agreements.services.agreements import record_publish, record_set_marking
from entente.apikit.endpoints import change, change_by


def publish(request, response: HttpResponse, record):
    """Share an internal record with its agreement's other parties (If-Match checked)."""
    return change_by(request, response, record, record_publish, record=record)


def set_marking(request, response: HttpResponse, record, payload: MarkingIn):
    """Set the record's TLP marking, with its TLP:RED recipients (If-Match checked)."""
    return change(
        request,
        response,
        record,
        lambda version: record_set_marking(
            actor=request.auth,
            record=record,
            marking=payload.marking,
            red_recipients=resolve_users(payload.red_recipients),
            expected_version=version,
        ),
    )
