"""Template context for showing times on two clocks: `counterpart_zones`, the zones of the
parties the user's party works with (read only by pages that show a time)."""

from django.utils.functional import SimpleLazyObject

from entente.agreements.selectors import counterpart_zones


def clocks(request):
    user = getattr(request, "user", None)
    return {"counterpart_zones": SimpleLazyObject(lambda: counterpart_zones(user))}
