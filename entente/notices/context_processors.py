"""The header's count of the signed-in user's unread notices: one query, made only when
a template shows it (a callable is called by the template when it is read)."""

from entente.notices.selectors import unread_count


def unread_notices(request):
    user = getattr(request, "user", None)
    return {"unread_notices": lambda: unread_count(user)}
