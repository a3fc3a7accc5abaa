from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "entente.sync"
    label = "sync"

    def ready(self) -> None:
        # The record types the audit trail reaches by name.
        from entente.core.registry import register_by_convention
        from entente.sync import selectors
        from entente.sync.models import Peer

        register_by_convention(selectors, {Peer: "peer"}, {Peer: "/peers/{id}"})
