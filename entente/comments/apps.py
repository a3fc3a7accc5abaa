from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "entente.comments"
    label = "comments"

    def ready(self) -> None:
        # The audit trail and search reach comments by name, like every other record.
        from entente.comments import selectors
        from entente.comments.models import Comment
        from entente.core.registry import register_by_convention

        register_by_convention(selectors, {Comment: "comment"}, {Comment: "/comments/{id}"})
