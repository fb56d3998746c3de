"""The Open Badges 3.0 ``OpenBadgeCredential`` of a certificate, from plain values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from airm_training.verifiable.proofs import OB_CONTEXT, VC_CONTEXT

ACHIEVEMENT_TYPE = "Certification"


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential states, as plain values."""

    credential_id: str  # urn:uuid:...
    subject_id: str  # urn:uuid:..., names no one
    issuer_did: str
    organisation: str
    organisation_url: str
    holder_name: str
    holder_email: str
    salt: str
    programme_title: str
    programme_version: int
    level_code: str
    level_name: str
    level_description: str
    requirements: tuple[str, ...]
    issued_on: date
    expires_on: date | None
    status_entry: dict
    serial: str


def identity_hash(email: str, salt: str) -> str:
    """The Open Badges salted identity hash of an e-mail address (``sha256$<hex>``)."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def criteria_narrative(facts: CredentialFacts) -> str:
    lines = [
        f"Awarded under {facts.programme_title}, version {facts.programme_version}, "
        f"to a clinician who met every requirement of {facts.level_code}:",
        "",
    ]
    lines += [f"- {requirement}" for requirement in facts.requirements]
    if not facts.requirements:
        lines.append(f"- {facts.level_code} is granted on enrolment with a verified licence.")
    return "\n".join(lines)


def build_credential(facts: CredentialFacts) -> dict:
    """The unsigned credential; the proofs are added by ``proofs``."""
    issuer = {
        "id": facts.issuer_did,
        "type": ["Profile"],
        "name": facts.organisation,
        "url": facts.organisation_url,
    }
    achievement_id = f"urn:airm:achievement:{facts.level_code.lower()}:v{facts.programme_version}"
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{facts.level_name} ({facts.level_code})",
        "description": f"{facts.organisation} certificate {facts.serial}",
        "issuer": issuer,
        "validFrom": f"{facts.issued_on.isoformat()}T00:00:00Z",
        "credentialSubject": {
            "id": facts.subject_id,
            "type": ["AchievementSubject"],
            "name": facts.holder_name,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(facts.holder_email, facts.salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": facts.salt,
                }
            ],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": ACHIEVEMENT_TYPE,
                "humanCode": facts.level_code,
                "name": facts.level_name,
                "description": facts.level_description or facts.level_name,
                "criteria": {"narrative": criteria_narrative(facts)},
                "creator": issuer,
                "version": str(facts.programme_version),
            },
        },
        "credentialStatus": facts.status_entry,
    }
    if facts.expires_on:
        credential["validUntil"] = f"{facts.expires_on.isoformat()}T23:59:59Z"
    return credential
