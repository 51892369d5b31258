"""A synthetic corpus of Swedish municipal documents for benchmarks.

Documents look like the seeds in ``../shared/seeds`` as far as search cares: ~1,500
words each drawn from a Zipfian vocabulary (the seeds' words, ranked by how often the
seeds use them, then Swedish compounds with their inflections, then a long tail of
names and rare words), a theme per document that repeats its own words, pages of
~3,000 characters, and realistic metadata: municipalities from the gazetteer, districts
of the three big cities, committees, projects, document types, dates 1995–2026 and
diarienummer. The same ``seed`` and number always give the same document.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.models import Document, document_id

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
KOMMUNER = (ROOT / "indexer/metadata/data/kommuner.csv", SHARED / "gazetteer/kommuner.csv")
STADSDELAR = (ROOT / "indexer/metadata/data/stadsdelar.csv", SHARED / "gazetteer/stadsdelar.csv")

WORDS_PER_DOC = 1500
PAGE_CHARS = 3000

MODIFIERS = (
    "social", "socialtjänst", "stadsdels", "hemlöshets", "bostads", "miljö", "trafik",
    "skol", "barn", "äldre", "kommun", "stads", "region", "fritids", "kultur", "arbets",
    "utvecklings", "samverkans", "integrations", "förskole", "bygg", "park", "vatten",
    "energi", "klimat", "kollektivtrafik", "gatu", "omsorgs", "vård", "hälso", "ungdoms",
    "familje", "missbruks", "budget", "verksamhets", "kvalitets", "projekt", "forsknings",
    "invandrar", "flykting", "arbetsmarknads", "näringslivs", "upphandlings", "personal",
    "ekonomi", "säkerhets", "brand", "polis", "idrotts", "bibliotek", "tillsyns", "lokal",
    "service", "stöd", "boende",
)
#: Head words with their inflected forms (compounds end in their head word).
HEADS: tuple[tuple[str, ...], ...] = (
    ("nämnd", "nämnden", "nämnder", "nämnderna", "nämndens"),
    ("förvaltning", "förvaltningen", "förvaltningar", "förvaltningens"),
    ("arbete", "arbetet", "arbeten", "arbetena", "arbetets"),
    ("plan", "planen", "planer", "planerna"),
    ("fråga", "frågan", "frågor", "frågorna"),
    ("bidrag", "bidraget", "bidragen"),
    ("insats", "insatsen", "insatser", "insatserna"),
    ("verksamhet", "verksamheten", "verksamheter", "verksamheterna"),
    ("kontor", "kontoret", "kontorets"),
    ("område", "området", "områden", "områdena"),
    ("utredning", "utredningen", "utredningar"),
    ("beslut", "beslutet", "besluten"),
    ("projekt", "projektet", "projekten"),
    ("program", "programmet"),
    ("strategi", "strategin", "strategier"),
    ("rapport", "rapporten", "rapporter"),
    ("avtal", "avtalet", "avtalen"),
    ("enhet", "enheten", "enheter"),
    ("stöd", "stödet"),
    ("boende", "boendet"),
    ("kostnad", "kostnaden", "kostnader"),
    ("chef", "chefen", "chefer"),
    ("samarbete", "samarbetet"),
    ("policy", "policyn"),
    ("grupp", "gruppen", "grupper"),
    ("fond", "fonden"),
    ("ärende", "ärendet", "ärenden"),
    ("utveckling", "utvecklingen"),
    ("satsning", "satsningen", "satsningar"),
)
THEMES: dict[str, tuple[str, ...]] = {
    "hemlöshet": ("hemlöshet", "hemlösa", "hemlös", "härbärge", "uppsökande", "EU-medborgare",
                  "hemlöshetsarbete", "boende", "tak", "socialtjänsten"),
    "EU-samarbete": ("EU", "Eurocities", "Bryssel", "europeiska", "nätverk", "kommissionen",
                     "erfarenhetsutbyte", "projektmedel", "Europaforum", "transnationella"),
    "äldreomsorg": ("äldre", "hemtjänst", "äldreboende", "omsorg", "demens", "anhöriga",
                    "vårdtagare", "biståndshandläggare", "trygghet", "äldreomsorgen"),
    "skola": ("skolan", "elever", "lärare", "förskola", "undervisning", "betyg", "rektor",
              "skolpeng", "läroplan", "grundskolan"),
    "trafik": ("trafik", "cykel", "kollektivtrafik", "bussar", "gator", "trängselskatt",
               "parkering", "spårväg", "trafiksäkerhet", "pendeltåg"),
    "miljö": ("miljö", "klimat", "utsläpp", "energi", "avfall", "återvinning", "hållbar",
              "miljöprogram", "koldioxid", "grönområden"),
    "bostäder": ("bostäder", "hyresrätter", "detaljplan", "bygglov", "bostadsbyggande",
                 "allmännyttan", "ombyggnad", "lägenheter", "bostadsförsörjning", "stadsplanering"),
    "integration": ("integration", "nyanlända", "språkundervisning", "etablering", "sfi",
                    "mångfald", "flyktingmottagande", "arbetsmarknad", "praktik", "föreningar"),
    "missbruk": ("missbruk", "missbruksvården", "behandling", "beroende", "narkotika",
                 "alkohol", "öppenvård", "evidensbaserad", "prevention", "substitution"),
    "kultur": ("kultur", "bibliotek", "museum", "konst", "föreställning", "kulturhus",
               "musik", "teater", "kulturstöd", "evenemang"),
}
DOC_TYPES = (
    ("tjänsteutlåtande", 30), ("protokoll", 20), ("rapport", 15), ("pressmeddelande", 10),
    ("skrivelse", 8), ("artikel", 6), ("motion", 6), ("remissvar", 5),
)
COMMITTEES = (
    "Kommunstyrelsen", "Kommunfullmäktige", "Socialtjänstnämnden", "Socialnämnden",
    "Stadsbyggnadsnämnden", "Utbildningsnämnden", "Äldrenämnden", "Trafiknämnden",
    "Miljö- och hälsoskyddsnämnden", "Kulturnämnden", "Arbetsmarknadsnämnden",
    "Exploateringsnämnden", "Idrottsnämnden", "Servicenämnden",
)
PROJECTS = (
    "Europaforum", "Hemlöshetsprojektet", "Grön stad", "Trygg i Stockholm", "Framtidens skola",
    "Boende först", "Järvalyftet", "Stadsutveckling Söder", "Klimatsmart 2030", "Kulturkvarter",
    "Äldre i fokus", "Vägen in", "Jobbtorg", "Cykelstaden", "Digital förvaltning",
    "Barnrättsprojektet", "Integrationsforum", "Vattenplan 2025", "Unga vuxna", "Socialt hållbar stad",
)
EUROPEAN_CITIES = ("Bryssel", "Köpenhamn", "Helsingfors", "Riga", "Tallinn", "Berlin",
                   "Bukarest", "Vilnius", "Oslo", "Wien", "Amsterdam", "Warszawa")
DNR_PREFIXES = ("KS", "SN", "SBN", "UN", "SDN", "MHN", "TN", "KF", "ÄN")
ENGLISH = (
    "the", "city", "council", "committee", "decided", "report", "social", "services",
    "homelessness", "citizens", "european", "cooperation", "network", "project",
    "development", "municipality", "district", "housing", "support", "the", "of", "and",
    "to", "in", "for", "on", "with", "by", "a", "is", "are", "was", "were", "this", "that",
    "these", "cities", "city", "programme", "funding", "results", "meeting", "members",
    "policy", "local", "regional", "national", "strategy", "welfare", "work", "working",
    "workers", "schools", "children", "elderly", "care", "transport", "environment",
    "climate", "integration", "exchange", "visit", "visits", "study", "studies",
    "experience", "decision", "decisions", "administration", "proposal", "budget", "year",
    "years", "new", "plan", "plans",
)
FIRST_NAMES = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara",
               "Anders", "Ewa", "Stina", "Dag", "Stig", "Elisabeth", "Ann-Katrin", "Arion")
LAST_NAMES = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
              "Olsson", "Persson", "Svensson", "Gustafsson", "Bengtsson", "Samuelsson",
              "Helin", "Hanno", "Åslund", "König")

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _read_csv(candidates: tuple[Path, ...]) -> list[dict[str, str]]:
    for path in candidates:
        if path.exists():
            with open(path, encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))
    return []


@dataclass
class Vocabulary:
    """Words ranked by frequency, with cumulative Zipf weights for ``random.choices``."""

    words: list[str]
    cum_weights: list[float]


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    """Rare words: names, misspellings, OCR debris — the long tail of a real lexicon."""
    onsets = ("b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
              "st", "sk", "tr", "br", "kl", "fr", "sl", "sv", "sm")
    vowels = ("a", "e", "i", "o", "u", "y", "ä", "å", "ö")
    codas = ("", "n", "r", "s", "t", "l", "ng", "ck", "rd", "lm", "nd", "st", "rk")
    words = set()
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                          for _ in range(syllables)))
    return sorted(words)


def build_vocabulary(seed: int = 1, tail: int = 60_000) -> Vocabulary:
    """The ranked vocabulary: seed words, then compounds, then the rare tail."""
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        # Without them the text would be compounds and rare words only: a different
        # corpus, and figures that cannot be compared with earlier runs.
        raise SystemExit(f"the seed documents are missing: {SEEDS} (check out shared/ beside the project)")
    counts: Counter[str] = Counter()
    for path in seeds:
        counts.update(w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8")))
    ranked = [w for w, _ in counts.most_common()]
    rng = random.Random(seed)
    compounds = [m + form for m in MODIFIERS for forms in HEADS for form in forms]
    rng.shuffle(compounds)
    rare = _pseudo_words(rng, tail)
    # Compounds spread through the middle ranks, rare words at the end.
    middle = list(itertools.chain.from_iterable(itertools.zip_longest(
        compounds, ranked[300:], fillvalue=None)))
    words = ranked[:300] + [w for w in middle if w] + rare
    seen: set[str] = set()
    words = [w for w in words if not (w in seen or seen.add(w))]
    cum: list[float] = []
    total = 0.0
    first_rare = len(words) - len(rare)
    for rank in range(len(words)):
        total += (0.3 if rank >= first_rare else 1.0) / (rank + 2.7) ** 1.08
        cum.append(total)
    return Vocabulary(words, cum)


class CorpusGenerator:
    """Deterministic synthetic documents: ``generator.document(i)`` for i = 0, 1, 2 …"""

    def __init__(self, seed: int = 1, words: int = WORDS_PER_DOC) -> None:
        self.seed = seed
        #: Mean words a document (shorter documents make a million fit a session's disk
        #: and time; the default's corpus is the one every earlier figure was measured on).
        self.words = words
        self.vocabulary = build_vocabulary(seed)
        kommuner = _read_csv(KOMMUNER)
        self.cities = [row["name"] for row in kommuner] or ["Stockholm", "Göteborg", "Malmö"]
        # The three big cities write most of the papers.
        self.city_weights = [
            40 if c == "Stockholm" else 15 if c in ("Göteborg", "Malmö") else 1
            for c in self.cities
        ]
        self.districts: dict[str, list[str]] = {}
        for row in _read_csv(STADSDELAR):
            self.districts.setdefault(row["city"], []).append(row["district"])
        self.themes = list(THEMES)

    def documents(self, count: int, start: int = 0) -> Iterator[Document]:
        for number in range(start, start + count):
            yield self.document(number)

    def document(self, number: int) -> Document:
        rng = random.Random(f"{self.seed}:{number}")
        theme = rng.choice(self.themes)
        language = "en" if rng.random() < 0.04 else "sv"
        metadata = self._metadata(rng, theme, language)
        text, page_starts = self._text(rng, theme, language, metadata)
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return Document(
            id=document_id(sha256),
            sha256=sha256,
            path=f"synthetic/{number // 1000:03d}/{number:07d}.txt",
            text=text,
            page_starts=page_starts,
            metadata=metadata,
            filename=f"{number:07d}.txt",
            content_type="text/plain",
            size=len(text.encode("utf-8")),
        )

    def _metadata(self, rng: random.Random, theme: str, language: str) -> dict[str, object]:
        city = rng.choices(self.cities, self.city_weights)[0]
        districts = self.districts.get(city, [])
        year = rng.randint(1995, 2026)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        document_date = f"{year:04d}-{month:02d}-{day:02d}"
        decision_date = None
        if rng.random() < 0.6:
            month2 = min(12, month + rng.randint(0, 2))
            decision_date = f"{year:04d}-{month2:02d}-{rng.randint(day if month2 == month else 1, 28):02d}"
        if rng.random() < 0.5:
            dnr = f"{rng.choice(DNR_PREFIXES)} {year}/{rng.randint(1, 9999)}"
        else:
            dnr = f"{rng.randint(100, 999)}-{rng.randint(1, 999)}/{year}"
        doc_type = rng.choices([t for t, _ in DOC_TYPES], [w for _, w in DOC_TYPES])[0]
        other_themes = rng.sample(self.themes, k=rng.randint(0, 2))
        mentioned = rng.sample(self.cities[:60] + list(EUROPEAN_CITIES), k=rng.randint(0, 3))
        return {
            "title": "",
            "doc_type": doc_type,
            "language": language,
            "city": city,
            "cities_mentioned": sorted(set(mentioned) - {city}),
            "districts": sorted(rng.sample(districts, k=min(len(districts), rng.randint(0, 3)))),
            "committee": rng.choice(COMMITTEES) if rng.random() < 0.85 else None,
            "administration": None,
            "dnr": dnr,
            "dnrs": [{"verbatim": dnr, "normalised": dnr.upper()}],
            "document_date": document_date,
            "decision_date": decision_date,
            "projects": sorted(rng.sample(PROJECTS, k=rng.choice((0, 0, 1, 1, 2)))),
            "topics": sorted({theme, *other_themes}),
            "people": [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                       for _ in range(rng.randint(0, 3))],
        }

    def _text(
        self, rng: random.Random, theme: str, language: str, metadata: dict[str, object]
    ) -> tuple[str, list[int]]:
        spread = 350 * self.words / WORDS_PER_DOC
        count = max(min(200, self.words // 2), min(4000, int(rng.gauss(self.words, spread))))
        if language == "en":
            words = rng.choices(ENGLISH, k=count)
        else:
            vocab = self.vocabulary
            words = rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=count)
            theme_words = THEMES[theme]
            for i in rng.sample(range(count), k=count // 12):
                words[i] = rng.choice(theme_words)
        title_words = [rng.choice(THEMES[theme])] + rng.choices(words, k=rng.randint(3, 8))
        metadata["title"] = " ".join(title_words).capitalize()
        specials = [str(metadata["dnr"]), str(metadata["city"]), f"{rng.randint(1, 99)} procent",
                    str(metadata["document_date"]), f"{rng.randint(1, 900)} 000 kronor"]
        paragraphs: list[str] = []
        sentence: list[str] = []
        sentences: list[str] = []
        target = rng.randint(6, 22)
        for word in words:
            sentence.append(word)
            if len(sentence) >= target:
                if rng.random() < 0.15:
                    sentence.insert(rng.randrange(len(sentence)), rng.choice(specials))
                sentences.append(" ".join(sentence).capitalize() + ".")
                sentence, target = [], rng.randint(6, 22)
                if len(sentences) >= rng.randint(3, 8):
                    paragraphs.append(" ".join(sentences))
                    sentences = []
        if sentence:
            sentences.append(" ".join(sentence).capitalize() + ".")
        if sentences:
            paragraphs.append(" ".join(sentences))
        header = f"{metadata['title']}\n\nDnr {metadata['dnr']}\n\n"
        text = header
        page_starts = [0]
        for paragraph in paragraphs:
            if len(text) - page_starts[-1] > PAGE_CHARS:
                page_starts.append(len(text))
            text += paragraph + "\n\n"
        return text.rstrip() + "\n", page_starts
