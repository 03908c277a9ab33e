"""The facility directory: CSV import (all-or-nothing) and export, and the routing view.

CSV columns: code,name,kind,services,latitude,longitude,province_code,
regency_code,district_code,address,phone,active (services separated by ';').
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referral.gazetteer import Gazetteer
from referral.models import Facility
from referral.routing import FacilityPoint
from referral.service_catalogue import KINDS, LAT_RANGE, LON_RANGE, SERVICES, inside_indonesia

COLUMNS = (
    "code", "name", "kind", "services", "latitude", "longitude",
    "province_code", "regency_code", "district_code", "address", "phone", "active",
)
REQUIRED = ("code", "name", "kind", "services")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
TRUE_WORDS = {"true", "1", "yes", "ya", "y", "aktif"}
FALSE_WORDS = {"false", "0", "no", "tidak", "n", "nonaktif"}
REGION_PATTERNS = {
    "province_code": re.compile(r"^\d{2}$"),
    "regency_code": re.compile(r"^\d{2}\.\d{2}$"),
    "district_code": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
}


class ImportFailed(ValueError):
    """The file was refused as a whole; `errors` lists every problem by row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the facility file; nothing was imported:\n" + "\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class FacilityRow:
    code: str
    name: str
    kind: str
    services: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    address: str | None
    phone: str | None
    active: bool


def parse_csv(stream: TextIO, gazetteer: Gazetteer | None = None) -> list[FacilityRow]:
    """Read and check every row; raise ImportFailed listing all problems (row 2 is the first data row)."""
    reader = csv.DictReader(stream)
    header = [h.strip() for h in reader.fieldnames or []]
    missing_columns = [c for c in REQUIRED + ("latitude", "longitude") if c not in header]
    if missing_columns:
        raise ImportFailed([f"header: missing column(s) {', '.join(missing_columns)}; expected {','.join(COLUMNS)}"])
    rows: list[FacilityRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        values = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        values.update({column: from_spreadsheet(values[column]) for column in TEXT_COLUMNS if column in values})
        problems: list[str] = []
        row = _parse_row(values, problems, gazetteer)
        if row and row.code in seen:
            problems.append(f"duplicate code {row.code!r} (first on row {seen[row.code]})")
        if problems:
            errors.extend(f"row {number}: {problem}" for problem in problems)
        elif row:
            seen[row.code] = number
            rows.append(row)
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed(["the file has no facility rows"])
    return rows


def _parse_row(values: dict[str, str], problems: list[str], gazetteer: Gazetteer | None) -> FacilityRow | None:
    for column in REQUIRED:
        if not values.get(column):
            problems.append(f"{column} is required")
    code = values.get("code", "")
    if code and not CODE_PATTERN.match(code):
        problems.append(f"code {code!r} must be 1–32 letters, digits, '-', '_' or '.'")
    kind = values.get("kind", "").upper()
    if kind and kind not in KINDS:
        problems.append(f"unknown kind {values['kind']!r}; expected one of {', '.join(KINDS)}")
    services = tuple(dict.fromkeys(s.strip() for s in values.get("services", "").split(";") if s.strip()))
    unknown = [s for s in services if s not in SERVICES]
    if unknown:
        problems.append(f"unknown service(s) {', '.join(unknown)}; expected from {', '.join(SERVICES)}")
    latitude = _float(values.get("latitude", ""), "latitude", problems)
    longitude = _float(values.get("longitude", ""), "longitude", problems)
    if (latitude is None) != (longitude is None) and not problems:
        problems.append("give both latitude and longitude, or neither")
    if latitude is not None and longitude is not None and not inside_indonesia(latitude, longitude):
        problems.append(
            f"coordinates {latitude}, {longitude} are outside Indonesia "
            f"(latitude {LAT_RANGE[0]}..{LAT_RANGE[1]}, longitude {LON_RANGE[0]}..{LON_RANGE[1]})"
        )
    codes = {}
    for column, pattern in REGION_PATTERNS.items():
        value = values.get(column) or None
        if value and not pattern.match(value):
            problems.append(f"{column} {value!r} is not a dotted Kemendagri code like {pattern.pattern}")
        if value and gazetteer and pattern.match(value) and gazetteer.get(value) is None:
            problems.append(f"{column} {value!r} is not a known region")
        codes[column] = value
    active_text = values.get("active", "").lower()
    if active_text and active_text not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"active {values['active']!r} must be true or false")
    if problems:
        return None
    if gazetteer and latitude is not None and longitude is not None and not codes["district_code"]:
        district, _ = gazetteer.nearest_district(latitude, longitude)
        codes = {
            "province_code": codes["province_code"] or district.province_code,
            "regency_code": codes["regency_code"] or district.regency_code,
            "district_code": district.district_code,
        }
    if codes["district_code"] and not codes["regency_code"]:
        codes["regency_code"] = codes["district_code"][:5]
    if codes["regency_code"] and not codes["province_code"]:
        codes["province_code"] = codes["regency_code"][:2]
    if latitude is None and not codes["province_code"]:
        problems.append("needs coordinates or at least a province_code, or it cannot be routed to")
        return None
    return FacilityRow(
        code=code,
        name=values["name"],
        kind=kind,
        services=services,
        latitude=latitude,
        longitude=longitude,
        province_code=codes["province_code"],
        regency_code=codes["regency_code"],
        district_code=codes["district_code"],
        address=values.get("address") or None,
        phone=values.get("phone") or None,
        active=active_text not in FALSE_WORDS,
    )


def _float(text: str, column: str, problems: list[str]) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except ValueError:
        problems.append(f"{column} {text!r} is not a number")
        return None
    if value != value or value in (float("inf"), float("-inf")):
        problems.append(f"{column} {text!r} is not a number")
        return None
    return value


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def import_rows(session: Session, rows: list[FacilityRow]) -> ImportSummary:
    """Insert new facilities and update existing ones (matched by code), in the caller's transaction."""
    existing = {f.code: f for f in session.scalars(select(Facility).where(Facility.code.in_([r.code for r in rows])))}
    created = updated = 0
    for row in rows:
        facility = existing.get(row.code)
        if facility is None:
            facility = Facility(code=row.code)
            session.add(facility)
            created += 1
        else:
            updated += 1
        facility.name = row.name
        facility.kind = row.kind
        facility.services = ";".join(row.services)
        facility.latitude, facility.longitude = row.latitude, row.longitude
        facility.province_code, facility.regency_code, facility.district_code = (
            row.province_code, row.regency_code, row.district_code,
        )
        facility.address, facility.phone, facility.active = row.address, row.phone, row.active
    session.flush()
    return ImportSummary(created, updated)


# A spreadsheet runs a cell that starts with one of these as a formula: such a text cell is
# written with a leading apostrophe (which spreadsheets hide) and read back without it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("name", "services", "address", "phone")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def from_spreadsheet(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def export_csv(session: Session, out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for f in session.scalars(select(Facility).order_by(Facility.code)):
        writer.writerow([
            f.code, spreadsheet_safe(f.name), f.kind, spreadsheet_safe(f.services),
            "" if f.latitude is None else f"{f.latitude:.6f}",
            "" if f.longitude is None else f"{f.longitude:.6f}",
            f.province_code or "", f.regency_code or "", f.district_code or "",
            spreadsheet_safe(f.address or ""), spreadsheet_safe(f.phone or ""), "true" if f.active else "false",
        ])
        count += 1
    return count


def directory_version(session: Session) -> tuple:
    """Changes whenever a facility is added, changed or removed (cheap to ask)."""
    count, latest, top = session.execute(
        select(func.count(Facility.id), func.max(Facility.updated_at), func.max(Facility.id))
    ).one()
    return (count, latest, top)


def routing_points(session: Session, gazetteer: Gazetteer) -> list[FacilityPoint]:
    """Active facilities as routing points; those without coordinates sit at their region's centroid."""
    points = []
    for f in session.scalars(select(Facility).where(Facility.active.is_(True)).order_by(Facility.id)):
        latitude, longitude, approximate = f.latitude, f.longitude, False
        if latitude is None or longitude is None:
            region = next(
                (gazetteer.get(c) for c in (f.district_code, f.regency_code, f.province_code) if c and gazetteer.get(c)),
                None,
            )
            if region is None:
                continue
            latitude, longitude, approximate = region.latitude, region.longitude, True
        points.append(
            FacilityPoint(
                code=f.code, name=f.name, kind=f.kind, services=frozenset(f.service_list),
                latitude=latitude, longitude=longitude, approximate=approximate,
                province_code=f.province_code, regency_code=f.regency_code, district_code=f.district_code,
                address=f.address, phone=f.phone,
            )
        )
    return points


def read_csv_text(text: str, gazetteer: Gazetteer | None = None) -> list[FacilityRow]:
    return parse_csv(io.StringIO(text), gazetteer)

