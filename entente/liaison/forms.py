"""Forms of the liaison pages: they check shape; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from entente.core.pages import VersionedForm, marking_field, red_recipients_field
from entente.liaison.enums import MessageKind, Priority


def _text(label, *, rows: int = 3, hint="", required: bool = True) -> forms.CharField:
    """A text of several lines, `rows` high."""
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=hint,
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.party.code} – {unit.name}"


class RequestSendForm(forms.Form):
    from_unit = UnitChoiceField(label=_("From"), queryset=None, empty_label=None)
    to_unit = UnitChoiceField(label=_("To"), queryset=None)
    area: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Cooperation area"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        to_field_name="public_id",
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = _text(_("Request"), rows=8)
    marking = marking_field()
    red_recipients = red_recipients_field(
        _(
            "Only for TLP:RED: the people who may see the request. Name at least one "
            "person of the receiving party; you are added yourself."
        )
    )

    def __init__(self, *args, agreement, from_units, to_units, areas, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = from_units
        self.fields["to_unit"].queryset = to_units
        if len(to_units) == 1:
            # The usual case: one counterpart cell, so there is nothing to choose.
            self.fields["to_unit"].initial = to_units[0].pk
        self.fields["area"].queryset = areas
        self.fields["red_recipients"].queryset = recipients
        self.fields["from_unit"].help_text = _("Your party's contact cell that sends the request.")
        self.fields["to_unit"].help_text = _(
            "The contact cell of the other party that is to answer."
        )
        self.fields["priority"].help_text = _(
            "This agreement gives %(urgent)s for an urgent request and %(normal)s for a "
            "normal one. The deadline is set when the request is sent."
        ) % {
            "urgent": ngettext("%(n)d hour", "%(n)d hours", agreement.urgent_response_hours)
            % {"n": agreement.urgent_response_hours},
            "normal": ngettext("%(n)d day", "%(n)d days", agreement.normal_response_days)
            % {"n": agreement.normal_response_days},
        }


# Acknowledging and closing need nothing but the version of the request the user saw.
AcknowledgeForm = CloseForm = VersionedForm


class ClarificationAskForm(VersionedForm):
    body = _text(
        _("Your question"), hint=_("The deadline stands still until the sending cell answers.")
    )


class ClarificationProvideForm(VersionedForm):
    body = _text(_("Clarification"), rows=4)


class AnswerForm(VersionedForm):
    body = _text(_("Answer"), rows=6)
    delay_reason = _text(
        _("Reason for delay"),
        rows=2,
        hint=_("Required once the deadline has passed."),
        required=False,
    )


class RefuseForm(VersionedForm):
    refusal_reason = _text(_("Reason for refusal"), hint=_("The sending cell sees this reason."))


class MessagePostForm(VersionedForm):
    kind = forms.ChoiceField(
        label=_("Visible to"),
        choices=[(MessageKind.MESSAGE, ""), (MessageKind.NOTE, "")],
        initial=MessageKind.MESSAGE,
        widget=forms.RadioSelect,
    )
    body = _text(_("Message"), rows=4)

    def __init__(self, *args, own_party: str, other_party: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (MessageKind.MESSAGE, _("Both cells (message)")),
            (
                MessageKind.NOTE,
                _("Only %(party)s (internal note, not visible to %(other)s)")
                % {"party": own_party, "other": other_party},
            ),
        ]
