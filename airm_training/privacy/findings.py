"""What the detector reports: a kind of identifier and where it is in the text."""

from __future__ import annotations

from dataclasses import dataclass

# Each kind with the phrase the forms use ("It seems to contain a phone number, ...").
KIND_LABELS: dict[str, str] = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "date_of_birth": "a date of birth",
    "record_number": "a record number",
    "ssn": "a social security number",
    "name": "a person's name",
    "relative_name": "a relative's name",
    "age": "an age",
    "address": "a street address",
    "place": "where someone lives or comes from",
    "id_number": "an identity document or member number",
    "handle": "a social media handle",
    "ip_address": "an IP address",
    "employer_school": "an employer or school",
}
KINDS = tuple(KIND_LABELS)


@dataclass(frozen=True, order=True)
class Finding:
    """One suspected identifier: ``text[start:end]`` is the matched span."""

    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_json(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end}


def labels_of(findings: list[Finding]) -> list[str]:
    """The distinct kinds' labels, in the fixed order of ``KIND_LABELS``."""
    present = {finding.kind for finding in findings}
    return [label for kind, label in KIND_LABELS.items() if kind in present]
