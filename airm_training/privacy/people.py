"""Rules for identifiers that need context: names near client, relative and honorific
words, ages, where someone lives, employers and schools, street addresses (usaddress).
Each rule yields ``(start, end, kind)``; names of registered people are left alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import usaddress

from airm_training.privacy.lexicon import (
    CLIENT_WORDS,
    COMMON_WORD_FIRST_NAMES,
    NOT_NAMES,
    ORGANISATION_WORDS,
    RELATIVES,
    THEORISTS,
    first_names,
    last_names,
    word_set,
)

Span = tuple[int, int, str]
IGNORE = re.IGNORECASE

WORD = (
    r"(?:Mc|Mac|O['\u2019])?[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'\u2019](?!s\b)[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)*"
)
INITIALS = r"(?:[A-Z]\.\s?){2,3}(?![a-z])|\b[A-Z]{2,3}\b"
FULL = rf"{WORD}(?:\s+(?:{WORD}|[A-Z]\.))?(?:\s+{WORD})?"
HONORIFIC = r"\b(?:Mr|Mrs|Ms|Mx|Miss|Pt)\b\.?"

# "Client Maria Gonzalez", "client's sister Joanna", "Client's husband, Daniel Ortiz",
# "his mother Linda", "Client R.T.", "patient: J. Smith".
AFTER_CLIENT = re.compile(
    rf"(?i:\b(?:{CLIENT_WORDS})\b(?:['\u2019]s)?\.?)(?:\s+(?i:named|called|is|was))?[\s:,(]+"
    rf"(?:(?i:{RELATIVES})\b,?\s+)?(?:{HONORIFIC}\s*)?(?P<name>{INITIALS}|{FULL})"
)
AFTER_RELATIVE = re.compile(
    rf"(?i:\b(?:{CLIENT_WORDS}|his|her|their|my)\b(?:['\u2019]s)?)\s+"
    rf"(?:(?i:late|older|younger|elder|little|big|new|former|adult|teenage)\s+)?"
    rf"(?i:{RELATIVES})\b(?:\s+(?i:named|called|is))?,?\s+(?P<name>{FULL})"
)
WITH_HONORIFIC = re.compile(rf"{HONORIFIC}\s*(?P<name>{INITIALS}|{FULL})")
# "Tom Becker's mother", "Kevin's case".
POSSESSIVE = re.compile(rf"\b(?P<name>{FULL})['\u2019]s\b")
FULL_NAME = re.compile(rf"\b(?P<first>{WORD})(?=\s+(?:[A-Z]\.\s+)?(?P<last>{WORD})\b)")
DOTTED_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){2,3}(?![\w])")
NAMED_INITIALS = re.compile(
    r"(?i:\binitials?\b)[\s:,]+(?:are\s+|is\s+)?(?P<name>(?:[A-Z]\.?\s?){2,3})\b"
)
# A cited author's work: "Kate Darling's work", "Sue Johnson's model".
WORK_AFTER = re.compile(
    r"\s*(?:\w+\s+)?(?:work|book|books|research|study|studies|theory|model|framework|"
    r"approach|paper|papers|article|chapter|lecture|talk|method|protocol|concept|writing|"
    r"findings|experiments|interview|classic|essay|podcast|training|manual)\b"
)
FICTIONAL = re.compile(r"(?i:\brole[- ]?play|\bvignette|\bhypothetical|\bfictional|\bcomposite\b)")
NOT_INITIALS = word_set(
    "U.S. U.K. E.U. P.O. A.I. D.C. L.A. N.Y. M.A. M.S. B.A. B.S. M.D. R.N. P.A. "
    "Q.A. I.D. A.M. P.M. U.N. N.B. P.S. E.G. I.E. D.O. O.T. S.W. C.E."
)

AGE = re.compile(
    r"\b(?:age[ds]?|aged)\s*[:=]?\s*\d{1,3}\b"
    r"|\b\d{1,3}\s*-?\s*(?:years?|yrs?)[\s-]*old\b|\b\d{1,3}\s*(?:y/o|yo|y\.o\.)(?!\w)"
    r"|\b(?:he|she|they|client|patient|pt)\s+(?:is|was|turned|turns|just\s+turned)\s+"
    r"(?:now\s+)?\d{1,3}\b(?!\s*(?:min|minutes|hours?|h|sessions?|times|days|weeks|months|%))"
    r"|\b(?:in\s+)?(?:his|her)\s+(?:early\s+|mid-?\s*|late\s+)?\d0s\b"
    r"|\b(?:age[ds]?|aged)\s+(?:of\s+)?\d{1,3}\b",
    IGNORE,
)
# "Ms. Okonkwo, 47, divorced", "Sarah Whitfield, 34": a small number set off after a name.
AGE_AFTER_NAME = re.compile(
    rf"(?:{WORD}|\))\s*,\s*(?P<age>\d{{1,2}})(?=\s*(?:[,.;)]|$|\s+(?:y|yrs?|years?)\b))"
)
PERSON_NOUNS = (
    "client|patient|pt|boy|girl|man|woman|teen|teenager|child|kid|widow|widower|retiree|"
    "veteran|student|mother|father|teacher|nurse|worker|officer|driver|engineer|lawyer|"
    "farmer|soldier|gentleman|lady|senior|adolescent|immigrant|refugee|family"
)
WORKER_NOUNS = (
    "nurse|teacher|worker|officer|driver|engineer|lawyer|student|pupil|manager|cashier|"
    "barista|clerk|assistant|technician|mechanic|doctor|server|sophomore|junior|senior|"
    "freshman|intern|volunteer|employee|staffer|analyst|developer|programmer"
)
PLACE = re.compile(
    rf"(?i:\b(?:lives|living|lived|resides|residing|moved|moving|relocated|grew\s+up|"
    rf"(?:moved|relocated|came)(?:\s+here|\s+over)?\s+from|"
    rf"is\s+from|comes\s+from|originally\s+from|resident\s+of|native\s+of|"
    rf"(?:{PERSON_NOUNS})\s+from)"
    rf"(?:\s+(?:in|on|to|at|near|with))?)\s+(?:the\s+)?(?P<place>{WORD}(?:\s+{WORD}){{0,2}})",
)
ORG = rf"(?:the\s+)?(?P<org>(?:{WORD}|[A-Z]{{2,5}}\b)(?:\s+(?:of\s+)?{WORD}){{0,4}})"
# Third-person present ("works at", "attends"): clinicians write their own notes as
# "Worked on ...", "Attended ...", which are left alone.
EMPLOYER_AT = re.compile(
    rf"(?i:\b(?:works|is\s+working|is\s+employed|employed|interns|volunteers|teaches|"
    rf"studies|is\s+enrolled|enrolled|{WORKER_NOUNS})\s+(?:at|for|by|in))"
    rf"\s+{ORG}"
)
EMPLOYER_IS = re.compile(
    rf"(?i:\b(?:employer|employed\s+by|attends|attending|goes\s+to\s+school\s+at|"
    rf"goes\s+to)(?:\s+is)?[:,]?)\s+{ORG}"
)
SCHOOL = re.compile(
    rf"\b{WORD}(?:\s+{WORD}){{0,3}}\s+(?:High|Middle|Elementary|Primary|Junior\s+High|"
    rf"Secondary|Grammar|Prep|Preparatory)\s+School\b"
)
STREET_START = re.compile(
    rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?{WORD}"
    rf"|\b(?i:P\.?\s?O\.?\s+Box|Post\s+Office\s+Box)\s+\d+"
)
STREET_LIVES = re.compile(
    rf"\b(?:lives|living|resides|moved|address|home)\b[^.;]{{0,12}}?\b(?:on|at|to)\s+"
    rf"(?P<street>{WORD}(?:\s+{WORD}){{0,2}}\s+(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|"
    rf"Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Terrace|Circle|Highway|Hwy)\b\.?)"
)
ADDRESS_PARTS = frozenset(
    {
        "AddressNumber",
        "StreetNamePreDirectional",
        "StreetName",
        "StreetNamePostType",
        "StreetNamePostDirectional",
        "StreetNamePreType",
        "OccupancyType",
        "OccupancyIdentifier",
        "USPSBoxType",
        "USPSBoxID",
        "PlaceName",
        "StateName",
        "ZipCode",
    }
)
ZIP_WITH_STATE = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")


@dataclass(frozen=True)
class Registry:
    """Names of the people registered in the system: not client identifiers."""

    full_names: frozenset[str] = frozenset()
    words: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, names: list[str]) -> Registry:
        full = frozenset(" ".join(name.lower().split()) for name in names if name)
        words = frozenset(word for name in full for word in re.findall(r"[^\W\d_]+", name))
        return cls(full, words)

    def is_registered(self, name: str, *, whole: bool = False) -> bool:
        """``whole``: only a registered full name counts (a lone surname does not)."""
        text = " ".join(name.lower().split())
        if text in self.full_names:
            return True
        if whole:
            return False
        parts = re.findall(r"[^\W\d_]+", text)
        return bool(parts) and all(part in self.words for part in parts)


def _looks_like_name(name: str) -> bool:
    words = name.replace(".", " ").split()
    return bool(words) and words[0].lower() not in NOT_NAMES


def client_names(text: str, registry: Registry) -> Iterator[Span]:
    for pattern, kind in ((AFTER_RELATIVE, "relative_name"), (AFTER_CLIENT, "name")):
        for match in pattern.finditer(text):
            name = match.group("name")
            kind_here = "relative_name" if kind == "name" and _has_relative(match) else kind
            if _looks_like_name(name) and not registry.is_registered(name, whole=True):
                yield match.start("name"), match.end("name"), kind_here


def _has_relative(match: re.Match[str]) -> bool:
    prefix = match.string[match.start() : match.start("name")]
    return re.search(rf"\b(?:{RELATIVES})\b", prefix, IGNORE) is not None


def honorific_names(text: str, registry: Registry) -> Iterator[Span]:
    for match in WITH_HONORIFIC.finditer(text):
        name = match.group("name")
        if _looks_like_name(name) and not registry.is_registered(name, whole=True):
            yield match.start(), match.end("name"), "name"


def known_names(text: str, registry: Registry) -> Iterator[Span]:
    """A given name with a surname, or a given name's possessive, anywhere in the text."""
    given, family = first_names(), last_names()
    for match in FULL_NAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        whole = text[match.start() : match.end("last")]
        if (
            first.lower() in given
            and first.lower() not in COMMON_WORD_FIRST_NAMES | NOT_NAMES
            and last.lower() in family
            and last.lower() not in THEORISTS | ORGANISATION_WORDS | NOT_NAMES
            and not _professional(text, match.start(), match.end("last"))
            and not _cited(text, match.end("last"))
            and not registry.is_registered(whole)
        ):
            yield match.start(), match.end("last"), "name"
    for match in POSSESSIVE.finditer(text):
        name, offset = match.group("name"), match.start("name")
        if _cited(text, match.end("name")) or _professional(text, offset, match.end("name")):
            continue
        for word in re.finditer(r"\S+", name):
            lower = word.group().lower()
            if lower in given and lower not in COMMON_WORD_FIRST_NAMES | NOT_NAMES:
                tail = name[word.start() :]
                if tail.split()[-1].lower() not in THEORISTS and not registry.is_registered(tail):
                    yield offset + word.start(), match.end("name"), "name"
                break


PROFESSIONAL_BEFORE = re.compile(
    r"(?i:\b(?:dr|prof|professor|rev|supervisor|consultant|trainer|presenter|facilitator|"
    r"instructor|lecturer|colleague|clinician|therapist|counsell?or|author|speaker|"
    r"researcher|by))\.?\s*$"
    r"|\bby\s+(?:[A-Z][\w.'-]*\s+){1,3}(?:and|&)\s*$"
)
PROFESSIONAL_AFTER = re.compile(
    r"^,?\s*(?:Ph\.?D|Psy\.?D|M\.?D|LMHC|LPC|LCSW|LMFT|LICSW|MSW|MA|MS|M\.A|M\.S|RN|NP|"
    r"PMHNP|LPCC|LMHCA|LSWAIC|BCBA|EdD|Ed\.D)\b"
)


def _cited(text: str, end: int) -> bool:
    """The name is followed by ('s) a work of theirs: an author cited."""
    if text[end : end + 2] in ("'s", "\u2019s"):
        end += 2
    return WORK_AFTER.match(text, end) is not None


def _professional(text: str, start: int, end: int) -> bool:
    """The name is a clinician's or an author's: a title or role before, degrees after."""
    before = PROFESSIONAL_BEFORE.search(text[max(0, start - 24) : start])
    return before is not None or PROFESSIONAL_AFTER.match(text[end : end + 12]) is not None


def initials(text: str, registry: Registry) -> Iterator[Span]:
    for match in DOTTED_INITIALS.finditer(text):
        if match.group().replace(" ", "").upper() not in NOT_INITIALS:
            yield match.start(), match.end(), "name"
    for match in NAMED_INITIALS.finditer(text):
        yield match.start("name"), match.end("name"), "name"


def ages(text: str, registry: Registry) -> Iterator[Span]:
    """Ages of real people: a role-play's or a vignette's made-up client is left alone."""
    if FICTIONAL.search(text):
        return
    for match in AGE.finditer(text):
        yield match.start(), match.end(), "age"
    for match in AGE_AFTER_NAME.finditer(text):
        yield match.start("age"), match.end("age"), "age"


def places(text: str, registry: Registry) -> Iterator[Span]:
    for match in PLACE.finditer(text):
        if match.group("place").split()[0].lower() not in NOT_NAMES:
            yield match.start("place"), match.end("place"), "place"


def employers_and_schools(text: str, registry: Registry) -> Iterator[Span]:
    for match in (*EMPLOYER_AT.finditer(text), *EMPLOYER_IS.finditer(text)):
        org = match.group("org")
        if org.split()[0].lower() not in NOT_NAMES and not registry.is_registered(org):
            yield match.start("org"), match.end("org"), "employer_school"
    for match in SCHOOL.finditer(text):
        yield match.start(), match.end(), "employer_school"


def addresses(text: str, registry: Registry) -> Iterator[Span]:
    """A house number or PO box that usaddress reads as the start of a postal address."""
    for match in STREET_START.finditer(text):
        span = _address_span(text, match.start())
        if span is not None:
            yield span[0], span[1], "address"
    for match in STREET_LIVES.finditer(text):
        yield match.start("street"), match.end("street"), "address"
    for match in ZIP_WITH_STATE.finditer(text):
        yield match.start(), match.end(), "address"


def _address_span(text: str, start: int) -> tuple[int, int] | None:
    window = text[start : start + 90]
    try:
        tokens = usaddress.parse(window)
    except usaddress.RepeatedLabelError:  # pragma: no cover - the parser's own refusal
        return None
    labels = []
    for token, label in tokens:
        if label not in ADDRESS_PARTS:
            break
        labels.append((token, label))
    found = {label for _, label in labels}
    street = "StreetNamePostType" in found and "AddressNumber" in found
    box = "USPSBoxID" in found
    if not (street or box):
        return None
    end, position = start, start
    for token, _label in labels:
        position = text.index(token, position)
        end = position + len(token.rstrip(",;"))
        position += len(token)
    return start, end
