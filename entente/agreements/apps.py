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
        )
        from entente.core.registry import door_from_visible, register_record_type

        register_record_type(
            Agreement,
            door=selectors.get_agreement_for_user,
            visible=selectors.agreement_visible_to,
            api_path="/agreements/{id}",
        )
        register_record_type(
            AgreementEvent,
            door=selectors.get_agreement_event_for_user,
            visible=selectors.agreement_event_visible_to,
        )
        register_record_type(
            Clause, door=selectors.get_clause_for_user, visible=selectors.clause_visible_to
        )
        register_record_type(
            CooperationArea,
            door=door_from_visible(selectors.area_visible_to),
            visible=selectors.area_visible_to,
        )
        register_record_type(
            Commitment,
            door=selectors.get_commitment_for_user,
            visible=selectors.commitment_visible_to,
            api_path="/commitments/{id}",
        )
