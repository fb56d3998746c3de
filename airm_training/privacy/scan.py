"""Findings of several named texts at once, and the pieces a page shows them with."""

from __future__ import annotations

from dataclasses import dataclass, field

from airm_training.privacy.detector import detect
from airm_training.privacy.findings import KIND_LABELS, Finding, labels_of
from airm_training.privacy.registry import registered_people

CONTEXT = 60  # characters shown either side of a finding in a long text
LONG_TEXT = 600


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind or "", "")


@dataclass(frozen=True)
class TextFindings:
    """The findings of one text (a form field, a PDF, a CSV row's note)."""

    name: str
    label: str
    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({finding.kind for finding in self.findings})

    def segments(self) -> list[Segment]:
        """The text cut into plain and flagged pieces; a long text only around findings."""
        pieces: list[Segment] = []
        position = 0
        long = len(self.text) > LONG_TEXT
        for finding in self.findings:
            before = self.text[position : finding.start]
            if long and len(before) > 2 * CONTEXT:
                head = before[:CONTEXT] if position else ""
                before = f"{head} … {before[-CONTEXT:]}" if head else f"… {before[-CONTEXT:]}"
            flagged = Segment(self.text[finding.start : finding.end], finding.kind)
            pieces += [Segment(before), flagged]
            position = finding.end
        tail = self.text[position:]
        if long and len(tail) > CONTEXT:
            tail = f"{tail[:CONTEXT]} …"
        return [*pieces, Segment(tail)]

    def to_audit(self) -> dict:
        """Where and what kind, never the matched text."""
        return {"field": self.name, "findings": [f.to_json() for f in self.findings]}


def scan_texts(texts: dict[str, tuple[str, str | None]]) -> list[TextFindings]:
    """``texts``: name -> (label, text). Only texts with findings are returned."""
    registry = None
    found = []
    for name, (label, text) in texts.items():
        if not text or not text.strip():
            continue
        registry = registry or registered_people()
        findings = detect(text, registry)
        if findings:
            found.append(TextFindings(name, label, text, findings))
    return found


def all_labels(parts: list[TextFindings]) -> list[str]:
    return labels_of([finding for part in parts for finding in part.findings])
