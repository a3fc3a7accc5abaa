from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "entente.accounts"
    label = "accounts"

    def ready(self) -> None:
        from entente.accounts import selectors, services
        from entente.accounts.models import Contact
        from entente.apikit.auth import set_token_authenticator
        from entente.core.registry import register_by_convention

        # The API toolkit sits below accounts: it is told how tokens are checked.
        set_token_authenticator(services.token_authenticate_or_refuse)
        # The record types the audit trail reaches by name.
        register_by_convention(selectors, {Contact: "contact"})
