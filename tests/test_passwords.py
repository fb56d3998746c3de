"""Password rules: length limits, the bundled list of common passwords, the hash algorithm."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import pytest

from airm_training import create_app
from airm_training.auth.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    check_password_rules,
    common_passwords,
    hash_password,
    is_common_password,
)
from airm_training.core.errors import DomainError

PROJECT = Path(__file__).resolve().parent.parent


def test_the_list_is_shipped_with_the_package_and_is_long():
    listed = files("airm_training.auth").joinpath("common_passwords.txt")
    assert listed.is_file()
    assert len(common_passwords()) > 15_000
    package_data = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["airm_training"]
    assert any(fnmatch("auth/common_passwords.txt", pattern) for pattern in package_data)


def test_the_header_is_not_a_password():
    assert not any(entry.startswith("## ") for entry in common_passwords())
    assert "123456" in common_passwords()


@pytest.mark.parametrize("password", ["1q2w3e4r5t6y", "Q1W2E3R4T5Y6", "  qazwsxedcrfv  "])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert is_common_password(password)
    with pytest.raises(DomainError, match="commonly used passwords"):
        check_password_rules(password)


def test_the_limits_are_12_and_128_characters():
    assert (PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH) == (12, 128)
    with pytest.raises(DomainError, match="at least 12"):
        check_password_rules("abcd efgh k")
    check_password_rules("abcd efgh kl")
    check_password_rules("x" * 127 + "y")
    with pytest.raises(DomainError, match="at most 128"):
        check_password_rules("x" * 128 + "y")


def test_an_uncommon_passphrase_is_accepted():
    check_password_rules("violet kettle under the stairs")
    assert not is_common_password("violet kettle under the stairs")


def test_production_hashes_with_scrypt():
    production = create_app("production", SECRET_KEY="s" * 48)
    with production.app_context():
        assert hash_password("violet kettle under the stairs").startswith("scrypt:")
