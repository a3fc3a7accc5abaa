"""An agreement's scorecard and implementation report, as pages and as a PDF, and a
meeting's agenda and minutes as a PDF: each only what the reader may see.

Records come only through their doors (`get_*_for_user`) and the selectors behind
`scorecard_for`, `implementation_report` and `meeting_minutes`.
"""

from django.shortcuts import render
from django.utils import timezone, translation

from entente.agreements.selectors import get_agreement_for_user
from entente.core.pages import signed_in
from entente.meetings.selectors import get_meeting_for_user
from entente.reports.forms import PeriodForm
from entente.reports.implementation import (
    implementation_report,
    meeting_minutes,
    scorecard_marking,
)
from entente.reports.pdf import pdf_response, render_pdf
from entente.reports.scorecard import scorecard_for


def _period(request, *, default: int | None) -> tuple[PeriodForm, int | None, bool]:
    """The year asked for in `?period=` (else `default`), and whether it is valid."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None, False
    return form, form.cleaned_data["period"] or default, True


def _current_year() -> int:
    return timezone.localdate().year


@signed_in("GET")
def agreement_scorecard(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    form, year, valid = _period(request, default=None)
    scorecard, marking = None, None
    if valid:
        scorecard = scorecard_for(request.user, agreement, year=year)
        marking = scorecard_marking(request.user, agreement, year)
    return render(
        request,
        "reports/agreement_scorecard.html",
        {
            "agreement": agreement,
            "form": form,
            "year": year,
            "scorecard": scorecard,
            "marking": marking,
        },
        status=200 if valid else 400,
    )


@signed_in("GET")
def agreement_report(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    form, year, valid = _period(request, default=_current_year())
    report = implementation_report(request.user, agreement, year=year) if valid and year else None
    return render(
        request,
        "reports/agreement_report.html",
        {"agreement": agreement, "form": form, "year": year, "report": report},
        status=200 if report else 400,
    )


@signed_in("GET")
def agreement_report_pdf(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    form, year, valid = _period(request, default=_current_year())
    if not (valid and year):  # the page says what is wrong with the period
        return agreement_report(request, pk)
    report = implementation_report(request.user, agreement, year=year)
    content = report_pdf(report, language=translation.get_language())
    return pdf_response(content, f"report-{agreement.public_id}-{year}.pdf")


def report_pdf(report, *, language: str) -> bytes:
    """The implementation report as a PDF in `language` (the page, the command)."""
    return render_pdf(
        "reports/agreement_report_print.html",
        {"report": report, "agreement": report.agreement, "scorecard": report.scorecard},
        marking=report.marking,
        language=language,
    )


@signed_in("GET")
def meeting_pdf(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    minutes = meeting_minutes(request.user, meeting)
    content = render_pdf(
        "reports/meeting_print.html",
        {"minutes": minutes, "meeting": meeting, "parts": minutes.parts},
        marking=minutes.marking,
        language=translation.get_language(),
    )
    return pdf_response(content, f"meeting-{meeting.public_id}.pdf")
