from django import forms

from core.forms import PortalModelForm
from evaluation import services


class VersionedForm(PortalModelForm):
    """A model form carrying the version the user saw, so a later save cannot overwrite another's."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin runs this inside the save's transaction, so the row stays locked until saved.
            services.version_check(self.instance, cleaned.get("seen_version"))
        return cleaned


def review_draft_key(pk) -> str:
    """Where the session keeps a refused review's typed text until its page shows it again."""
    return f"review-draft-{pk}"
