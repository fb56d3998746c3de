"""Rules for identifiers with a fixed shape: contact details, dates of birth, numbers of
records, cards and documents, handles, IP addresses. Each rule yields ``(start, end, kind)``."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import phonenumbers

from airm_training.core.clock import today
from airm_training.privacy.lexicon import NOT_NAMES

Span = tuple[int, int, str]
IGNORE = re.IGNORECASE

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*\w")
# The shapes of the first warning (kept), then phonenumbers for the rest of the world.
NANP_PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])"
)
# A full date on its own is a date of birth when it is long enough ago: a session or a
# conference is recent, a birth is not.
DATE_NUMERIC = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?P<year>(?:19|20)\d{2})\b")
YEARS_BEFORE_A_BIRTH_DATE = 10
MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE_WORDS = (
    rf"(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS},?\s+(?:19|20)\d{{2}}"
    rf"|{MONTHS}\s+(?:19|20)\d{{2}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTHS}|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d{{2}})"
)
BIRTH_WORDS = r"(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?:\s+(?:on|in))?)"
DOB_WITH_DATE = re.compile(
    rf"\b{BIRTH_WORDS}\b(?:[^.;\n\d]{{0,24}}?(?:{DATE_WORDS})(?!\d)|(?=\W|$))", IGNORE
)
SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b(?!-)")
SSN_WORD = re.compile(
    r"\b(?:ssn|social security(?: number| no\.?)?)\b[^.;\n\d]{0,25}\d{4}(?:[-\s]?\d+)*", IGNORE
)
# "MRN: 55019283", "Chart #88213-B", "Patient ID 2024-77812", "policy number QWE123...".
RECORD_WORDS = (
    r"mrn|medical record|record|chart|case|file|patient|client|intake|member|membership|"
    r"policy|insurance|insurer|medicaid|medicare|account|claim|billing|invoice|ehr|emr"
)
ID_VALUE = r"(?=(?:[A-Z-]*\d){3})[A-Z0-9][A-Z0-9-]{2,}[A-Z0-9]"
RECORD = re.compile(
    rf"\b(?:{RECORD_WORDS})\b(?:\s+(?:id|no\.?|number|num|#)){{0,2}}\s*[:#]?\s*"
    rf"(?:{ID_VALUE})",
    IGNORE,
)
HASH_NUMBER = re.compile(r"#\s?\d{5,}")
DOCUMENT_WORDS = (
    r"driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e\s+(?:no\.?|number|#)|dl|"
    r"passport|student(?:\s+id)?|employee(?:\s+id)?|id\s+card|card|badge|visa|permit|"
    r"national\s+id|state\s+id|id"
)
DOCUMENT = re.compile(
    rf"\b(?:{DOCUMENT_WORDS})\b(?:\s+(?:id|no\.?|number|num|#)){{0,2}}\s*[:#]?\s*"
    rf"(?:{ID_VALUE})",
    IGNORE,
)
# A code of capitals and digits long enough to be someone's number: X12345678, BECKETM123QA.
CODE = re.compile(r"\b(?=[A-Z]*\d)(?=\d*[A-Z])(?=(?:[A-Z]*\d){3})[A-Z0-9]{8,}\b")
LONG_NUMBER = re.compile(
    r"(?<![\d.,/-])\d{7,}(?![\d.,/-])|\b\d{2,5}(?:[- ]\d{2,6}){2,}(?:-[A-Z])?\b"
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REDDIT_USER = re.compile(r"(?<![\w/])u/[A-Za-z0-9_-]{3,20}\b")
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_](?![\w(])")
PLATFORM_HANDLE = re.compile(
    r"\b(?:username|user\s?name|handle|gamertag|screen\s?name|discord|instagram|insta|tiktok|"
    r"snapchat|snap|twitter|twitch|reddit|telegram)\b(?:\s+(?:name|account|handle|id|is|"
    r"username))*\s*[:=]?\s*(?:u/)?([A-Za-z0-9_][\w.]*(?:#\d{4})?)",
    IGNORE,
)
HANDLE_WORD = re.compile(r"user\s?name|handle|gamertag|screen\s?name", IGNORE)
DISCORD_TAG = re.compile(r"\b[A-Za-z0-9_.]{2,32}#\d{4}\b")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])")


def emails(text: str) -> Iterator[Span]:
    for match in EMAIL.finditer(text):
        yield match.start(), match.end(), "email"


def phones(text: str) -> Iterator[Span]:
    for match in NANP_PHONE.finditer(text):
        yield match.start(), match.end(), "phone"
    if sum(ch.isdigit() for ch in text) < 7:
        return
    leniency = phonenumbers.Leniency.POSSIBLE
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=leniency):
        if match.raw_string.startswith("+") or "(" in match.raw_string:
            yield match.start, match.end, "phone"


def dates_of_birth(text: str) -> Iterator[Span]:
    for match in DOB_WITH_DATE.finditer(text):
        yield match.start(), match.end(), "date_of_birth"
    for match in DATE_NUMERIC.finditer(text):
        if int(match.group("year")) <= today().year - YEARS_BEFORE_A_BIRTH_DATE:
            yield match.start(), match.end(), "date_of_birth"


def social_security_numbers(text: str) -> Iterator[Span]:
    for pattern in (SSN, SSN_WORD):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "ssn"


def record_numbers(text: str) -> Iterator[Span]:
    for pattern in (RECORD, HASH_NUMBER):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "record_number"


def document_numbers(text: str) -> Iterator[Span]:
    for pattern in (DOCUMENT, CODE):
        for match in pattern.finditer(text):
            yield match.start(), match.end(), "id_number"
    for match in LONG_NUMBER.finditer(text):
        if not ISO_DATE.fullmatch(match.group()):
            yield match.start(), match.end(), "id_number"


def handles(text: str) -> Iterator[Span]:
    for match in REDDIT_USER.finditer(text):
        yield match.start(), match.end(), "handle"
    for match in HANDLE.finditer(text):
        yield match.start(), match.end(), "handle"
    for match in PLATFORM_HANDLE.finditer(text):
        token = match.group(1)
        named = HANDLE_WORD.search(match.group(0)) and token.lower() not in NOT_NAMES
        if named or any(ch.isdigit() or ch in "_.#" for ch in token):
            yield match.start(1), match.end(1), "handle"
    for match in DISCORD_TAG.finditer(text):
        yield match.start(), match.end(), "handle"


def ip_addresses(text: str) -> Iterator[Span]:
    for pattern in (IPV4, IPV6):
        for match in pattern.finditer(text):
            try:
                ipaddress.ip_address(match.group())
            except ValueError:
                continue
            yield match.start(), match.end(), "ip_address"
