"""Word lists the rules consult: people's names from the US census lists shipped by the
``names`` package (read from disk, no download), and the field's own vocabulary that looks
like a name but never identifies a client (theorists, products, modalities)."""

from __future__ import annotations

from functools import cache
from importlib import resources


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


RELATIVES = (
    "mother|mom|mum|father|dad|parents?|son|daughter|husband|wife|spouse|partner|"
    "boyfriend|girlfriend|fianc[ée]e?|sister|brother|siblings?|aunt|uncle|niece|nephew|"
    "cousin|grandmother|grandfather|grandma|grandpa|grandson|granddaughter|"
    "step-?(?:mother|father|son|daughter|mom|dad)|ex-?(?:wife|husband|partner)|ex|"
    "(?:mother|father|sister|brother|son|daughter)-in-law|guardian|roommate|"
    "(?:best )?friend|neighbou?r|co-?worker|colleague|boss|child|kids?|twin|widow(?:er)?"
)
# Who a note may be about: a name right after one of these is the client's or a relative's.
CLIENT_WORDS = "client|patient|pt|counsell?ee|referral|youth|teen|teenager|adolescent|minor"

# Capitalised words that follow "client" or open a sentence without being anyone's name.
NOT_NAMES = word_set(
    """
    a an the this that these those he she they his her their it its we i you my our your
    ai app apps bot chatbot companion persona avatar online offline group session stage
    stages level module case client clients patient patients pt intake consultation
    supervision supervisor therapist clinician candidate director board training
    replika character chatgpt gpt claude gemini copilot alexa siri nomi kindroid paradot
    chai talkie snapchat instagram tiktok discord reddit twitch youtube facebook whatsapp
    telegram x twitter vtuber vtubers tinder bumble hinge grindr
    emdr cbt act dbt ifs ett cpt pe tf somatic brainspotting gestalt narrative
    airm airt airt-c airt-s aip btrc ptsd cptsd adhd ocd mdd gad asd bpd npd ce ceu ceus
    ok zoom teams us uk eu usa un who nih apa aca nasw tv pc er icu ed gp pcp va ssi ceo
    lgbtq lgbt lgbtqia hr it iop php rtc snf ltc vr ar id dl ssn mrn dob
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    christmas easter thanksgiving ramadan hanukkah diwali
    reported described discussed said says shared disclosed noted stated expressed met
    """
)

# Theorists and authors a training note cites; their surnames are not client names.
THEORISTS = word_set(
    """
    bowlby ainsworth main hesse fonagy bateman winnicott kohut klein freud jung adler
    rogers perls yalom minuchin bowen satir erickson beck ellis linehan hayes
    siegel schore porges levine ogden kolk herman shapiro grand fisher najavits briere
    courtois cloitre foa resick ehlers schwartz gottman johnson hazan shaver bartholomew
    mikulincer sternberg harlow tronick stern lieberman perry mate maté brown neff germer
    gilbert kabat-zinn brach miller rollnick seligman bandura skinner maslow kahneman
    haidt twenge turkle weizenbaum reeves nass horton wohl zuboff fogg eyal alter lembke
    harris kubler-ross kübler-ross worden bonanno doka boss neimeyer rando young
    """
)

# Second words that make a capitalised pair a place or an organisation, not a person.
ORGANISATION_WORDS = word_set(
    """
    center centre institute university college school academy hospital clinic health
    medical group foundation association society council board agency department
    technology technologies labs lab inc llc ltd corp company press journal review
    conference summit workshop programme program project network services service
    street avenue road lane park hall room building campus county city state
    """
)

# First names that are ordinary words at the start of a sentence.
COMMON_WORD_FIRST_NAMES = word_set(
    """
    will may june april august mark frank christian major young king rich guy don art
    sunny dean grace hope joy faith chance page summer autumn winter dawn star sky
    """
)


def _census(filename: str) -> frozenset[str]:
    text = resources.files("names").joinpath(filename).read_text(encoding="ascii")
    return frozenset(line.split(" ", 1)[0].lower() for line in text.splitlines() if line)


@cache
def first_names() -> frozenset[str]:
    """About 5,500 given names (US census 1990), lower-case."""
    return _census("dist.male.first") | _census("dist.female.first")


@cache
def last_names() -> frozenset[str]:
    """About 89,000 surnames (US census 1990), lower-case."""
    return _census("dist.all.last")
