from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "entente.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The API toolkit sits below accounts: it is told how tokens are checked.
        from entente.accounts.selectors import token_authenticate
        from entente.apikit.auth import set_token_authenticator

        set_token_authenticator(token_authenticate)
