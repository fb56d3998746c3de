"""One mechanism for every form that takes free text: the form lists its checked fields,
validation stops on a finding until the person confirms it identifies nobody, and the page
shows the highlighted spans with ``templates/privacy/_macros.html``'s ``privacy_check``."""

from __future__ import annotations

from wtforms import BooleanField

from airm_training.privacy.pdf_text import upload_text
from airm_training.privacy.scan import TextFindings, all_labels, scan_texts

CONFIRM_LABEL = "I have checked: the highlighted text does not identify a client."
FOUND_MESSAGE = "This may identify a client ({kinds}): edit the highlighted parts or confirm below."


class PrivacyChecked:
    """Mixin placed before ``Form``. ``privacy_fields`` names the free-text fields;
    ``privacy_extra_texts`` adds texts that are not fields (a PDF's text, comments posted
    by a page's own inputs)."""

    privacy_fields: tuple[str, ...] = ()
    confirm_no_identifiers = BooleanField(CONFIRM_LABEL)
    privacy: list[TextFindings]
    # Texts posted outside the form's fields (name -> (label, text)), set by the view.
    privacy_extra: dict[str, tuple[str, str | None]] | None = None

    def privacy_extra_texts(self) -> dict[str, tuple[str, str | None]]:
        return dict(self.privacy_extra or {})

    def privacy_texts(self) -> dict[str, tuple[str, str | None]]:
        texts = {name: (self[name].label.text, self[name].data) for name in self.privacy_fields}
        return {**texts, **self.privacy_extra_texts()}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        self.privacy = scan_texts(self.privacy_texts())
        if self.privacy and not self.confirm_no_identifiers.data:
            for part in self.privacy:
                field = self._fields.get(part.name)  # type: ignore[attr-defined]
                if field is not None:
                    kinds = ", ".join(all_labels([part]))
                    field.errors = [*field.errors, FOUND_MESSAGE.format(kinds=kinds)]
            return False
        return valid

    @property
    def privacy_pending(self) -> bool:
        """Findings the person has not confirmed yet (the form was not accepted for them)."""
        return bool(getattr(self, "privacy", None)) and not self.confirm_no_identifiers.data


class PdfPrivacyChecked(PrivacyChecked):
    """Also checks the text of the PDF uploaded in the form's ``pdf`` field."""

    def privacy_extra_texts(self) -> dict[str, tuple[str, str | None]]:
        texts = super().privacy_extra_texts()
        upload = self["pdf"].data  # type: ignore[index]
        return {**texts, "pdf": ("The uploaded PDF", upload_text(upload))}
