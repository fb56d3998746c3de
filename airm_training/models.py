"""Imports every model so the metadata (and Alembic) knows all tables."""

from airm_training.agreements.models import SupervisionAgreement
from airm_training.archive.models import PersonalArchive
from airm_training.assessments.models import (
    AttemptItem,
    CasePresentation,
    CaseVersion,
    CompetencyEvaluation,
    Question,
    QuestionOption,
    Quiz,
    QuizAttempt,
)
from airm_training.audit.models import AuditEvent
from airm_training.auth.models import RecoveryCode, TotpCredential
from airm_training.continuing.models import CeAudit, CeAuditItem, CeRecord
from airm_training.credentials.models import CredentialAward, Enrolment, HolderCount
from airm_training.curriculum.models import ModuleCompletion
from airm_training.directory.models import DirectoryProfile
from airm_training.hours.models import HoursEntry, HoursImport, SignoffBacklog
from airm_training.invitations.models import Invitation
from airm_training.notifications.models import Notification, NotificationPreference, ReminderSent
from airm_training.people.models import Licence, Person, RoleAssignment
from airm_training.programme.models import (
    CredentialLevel,
    HoursCategory,
    Module,
    ProgrammeLevel,
    ProgrammeVersion,
    Requirement,
)
from airm_training.progression.models import (
    Application,
    Certificate,
    Endorsement,
    HoursTally,
    IssuedTranscript,
    Vote,
)
from airm_training.records.models import HoursVerification
from airm_training.signatures.models import CertificateSignature, SignatureImage
from airm_training.supporting.models import SupportingDocument
from airm_training.verifiable.models import IssuedPdf, SignedCredential

__all__ = [
    "Application",
    "AttemptItem",
    "AuditEvent",
    "CasePresentation",
    "CaseVersion",
    "CeAudit",
    "CeAuditItem",
    "CeRecord",
    "Certificate",
    "CertificateSignature",
    "CompetencyEvaluation",
    "CredentialAward",
    "CredentialLevel",
    "DirectoryProfile",
    "Endorsement",
    "Enrolment",
    "HolderCount",
    "HoursCategory",
    "HoursEntry",
    "HoursImport",
    "HoursTally",
    "HoursVerification",
    "Invitation",
    "IssuedPdf",
    "IssuedTranscript",
    "Licence",
    "Module",
    "ModuleCompletion",
    "Notification",
    "NotificationPreference",
    "Person",
    "PersonalArchive",
    "ProgrammeLevel",
    "ProgrammeVersion",
    "Question",
    "QuestionOption",
    "Quiz",
    "QuizAttempt",
    "RecoveryCode",
    "ReminderSent",
    "Requirement",
    "RoleAssignment",
    "SignatureImage",
    "SignedCredential",
    "SignoffBacklog",
    "SupervisionAgreement",
    "SupportingDocument",
    "TotpCredential",
    "Vote",
]
