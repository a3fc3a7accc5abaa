"""Comment threads on record pages: add, edit and delete one's own comments.

The thread and its form sit on the record's own page (`comments/_comments.html`); a
new comment or a refusal is answered with a redirect back to that page, with what
happened as a message: this app cannot show another app's page.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from entente.comments.forms import CommentEditForm, CommentForm
from entente.comments.selectors import get_comment_for_user, get_commentable_for_user
from entente.comments.services import comment_add as add
from entente.comments.services import comment_delete as delete
from entente.comments.services import comment_update, require_author
from entente.core.access import require_writer
from entente.core.errors import ValidationError
from entente.core.pages import done, first_error, form_page, form_shown, signed_in
from entente.core.registry import record_page_url

SECTION = "#comments"


def _back(record) -> str:
    return (record_page_url(record) or "/").split("#")[0] + SECTION


@signed_in("POST")
def comment_add(request, record_type, pk):
    record = get_commentable_for_user(request.user, record_type, pk)
    require_writer(request.user)
    form = CommentForm(request.POST, record=record)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(_back(record))
    try:
        add(actor=request.user, record=record, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(record))
    return done(request, _("Comment posted."), _back(record))


@signed_in("GET", "POST")
def comment_edit(request, pk):
    """The author rewrites their comment."""
    comment = get_comment_for_user(request.user, pk, write=True)
    require_author(request.user, comment)
    back = comment.get_absolute_url()
    data = request.POST if request.method == "POST" else None
    form = CommentEditForm(data, initial={"text": comment.text, "version": comment.version})

    def update():
        version, text = form.cleaned_data["version"], form.cleaned_data["text"]
        return comment_update(
            actor=request.user, comment=comment, expected_version=version, text=text
        )

    def show(form, *, status=None):
        return form_shown(
            request, "comments/comment_edit.html", form, status, comment=comment, back=back
        )

    stale = _("The comment changed meanwhile (in another window?); check it and save.")
    return form_page(
        request, form, update, show, message=_("Comment saved."), url=back, stale=stale
    )


@signed_in("POST")
def comment_delete(request, pk):
    comment = get_comment_for_user(request.user, pk, write=True)
    back = _back(comment.target) if comment.target else "/"
    delete(actor=request.user, comment=comment)
    return done(request, _("Comment deleted."), back)
