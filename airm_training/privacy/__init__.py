"""Client privacy: find what in a free text could identify a client, wherever the system
takes free text, so the person can edit it or confirm it identifies nobody."""

from airm_training.privacy.detector import detect
from airm_training.privacy.findings import KIND_LABELS, Finding, labels_of
from airm_training.privacy.people import Registry

__all__ = ["KIND_LABELS", "Finding", "Registry", "detect", "labels_of"]
