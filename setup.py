"""The wheel carries the repository's top-level ``templates/`` and ``migrations/`` as
``airm_training/templates`` and ``airm_training/migrations`` (see ``resources.py``);
everything else is in ``pyproject.toml``."""

from setuptools import find_packages, setup

MAPPED = {"airm_training.templates": "templates", "airm_training.migrations": "migrations"}

setup(
    packages=[*find_packages(include=["airm_training", "airm_training.*"]), *MAPPED],
    package_dir=MAPPED,
)
