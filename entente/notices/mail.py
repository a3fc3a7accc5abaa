"""The e-mail of one notice, in its recipient's language and time zone.

Above the marking the e-mail channel allows (ENTENTE_EMAIL_MAX_MARKING), the message
carries only the record's reference and a link: its title stays in the application.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entente.accounts.preferences import preferred_language, preferred_zone
from entente.core.enums import Marking
from entente.notices.enums import NoticeKind
from entente.notices.models import Notice


def may_carry(record: Model) -> bool:
    """Whether the record's text may travel by e-mail."""
    limit = Marking(settings.EMAIL_MAX_MARKING).rank
    return Marking(getattr(record, "marking", Marking.RED)).rank <= limit


def reference_of(record: Model) -> str:
    return getattr(record, "reference", "") or str(record.public_id)  # type: ignore[attr-defined]


def title_of(record: Model) -> str:
    # Nothing for a record with no title of its own (a comment): its text stays in the app.
    return getattr(record, "subject", "") or getattr(record, "title", "")


def _item(notice: Notice, record: Model) -> dict[str, str]:
    return {
        "kind": str(NoticeKind(notice.kind).label),
        "reference": reference_of(record),
        "title": title_of(record) if may_carry(record) else "",
        "marking": getattr(record, "marking", ""),
        "link": settings.SITE_URL + reverse("notices:notice-open", args=[notice.public_id]),
    }


def notice_email(notice: Notice, record: Model) -> EmailMultiAlternatives:
    def compose(language: str) -> tuple[str, str, str]:
        context = _item(notice, record) | {"language": language}
        subject = _("[Entente] %(kind)s: %(reference)s") % context
        text = render_to_string("notices/notice_email.txt", context)
        return subject, text, render_to_string("notices/notice_email.html", context)

    return _email(notice.recipient, compose)


def digest_email(user, notices: list[tuple[Notice, Model]]) -> EmailMultiAlternatives:
    """One e-mail listing the day's notices of the kinds the user takes as a digest."""

    def compose(language: str) -> tuple[str, str, str]:
        context = {"items": [_item(n, record) for n, record in notices], "language": language}
        subject = _("[Entente] Your notices of the day (%(count)d)") % {"count": len(notices)}
        text = render_to_string("notices/digest_email.txt", context)
        return subject, text, render_to_string("notices/digest_email.html", context)

    return _email(user, compose)


def _email(user, compose) -> EmailMultiAlternatives:
    """A message to `user` composed in their language and time zone."""
    language = preferred_language(user) or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(preferred_zone(user)):
        subject, text, html = compose(language)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = language
    return message
