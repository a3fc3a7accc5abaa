from django import template

from entente.notices.selectors import is_following

register = template.Library()


@register.filter
def followed_by(record, user) -> bool:
    """{% if record|followed_by:request.user %}: whether the user follows the record."""
    return bool(user and user.is_authenticated) and is_following(user, record)
