from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "entente.accounts"
    label = "accounts"

    def ready(self) -> None:
        from entente.accounts.models import Contact
        from entente.accounts.selectors import (
            contact_visible_to,
            get_contact_for_user,
            token_for,
        )
        from entente.apikit.auth import set_token_authenticator
        from entente.core.registry import register_record_type

        # The API toolkit sits below accounts: it is told how tokens are checked.
        set_token_authenticator(token_for)
        # The record types the audit trail reaches by name.
        register_record_type(Contact, door=get_contact_for_user, visible=contact_visible_to)
