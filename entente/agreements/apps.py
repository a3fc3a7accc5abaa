from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "entente.agreements"
    label = "agreements"

    def ready(self) -> None:
        # The record types the audit trail, publishing and attachments reach by name.
        from entente.agreements import selectors
        from entente.agreements.models import (
            Agreement,
            AgreementEvent,
            Clause,
            Commitment,
            CooperationArea,
            ProgressReport,
        )
        from entente.core.registry import register_by_convention

        register_by_convention(
            selectors,
            {
                Agreement: "agreement",
                AgreementEvent: "agreement_event",
                Clause: "clause",
                CooperationArea: "area",
                Commitment: "commitment",
                ProgressReport: "progress_report",
            },
            {
                Agreement: "/agreements/{id}",
                Commitment: "/commitments/{id}",
                ProgressReport: "/reports/{id}",
            },
        )
