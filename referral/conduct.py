"""The safeguarding code of conduct: its current version, edits by coordinators, and who
accepted which version.

The first version is config/code_of_conduct.yml; a coordinator's edit in the console is
saved as a new version in the database (the file stays as it was). An officer must have
accepted the current version before the console shows them anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import ConductAcceptance, ConductVersion, Officer, utcnow

MAX_CHARS = 20_000


class ConductError(ValueError):
    pass


@dataclass(frozen=True)
class Conduct:
    version: str
    text: str


def from_file(path: Path) -> Conduct:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not data.get("version") or not (data.get("text") or "").strip():
        raise ConductError(f"{path}: needs a version and a text")
    return Conduct(str(data["version"]), data["text"].strip())


def current(session: Session, path: Path) -> Conduct:
    saved = session.scalar(select(ConductVersion).order_by(ConductVersion.id.desc()).limit(1))
    return Conduct(saved.version, saved.text) if saved is not None else from_file(path)


def save(session: Session, officer: Officer, text: str, *, now: datetime | None = None) -> Conduct:
    """A coordinator's edit: a new version, which every officer must accept again."""
    if officer.role not in ("coordinator", "admin"):
        raise ConductError("only coordinators and admins edit the code of conduct")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ConductError("the code of conduct cannot be empty")
    if len(text) > MAX_CHARS:
        raise ConductError(f"the code of conduct is longer than {MAX_CHARS} characters")
    now = now or utcnow()
    count = len(session.scalars(select(ConductVersion.id)).all())
    version = f"{now:%Y-%m-%d}.{count + 1}"
    session.add(ConductVersion(version=version, text=text, created_at=now, created_by=officer.id))
    session.flush()
    return Conduct(version, text)


def has_accepted(session: Session, officer: Officer, version: str) -> bool:
    return session.scalar(
        select(ConductAcceptance.id).where(ConductAcceptance.officer_id == officer.id, ConductAcceptance.version == version).limit(1)
    ) is not None


def accept(session: Session, officer: Officer, version: str, source: str, *, now: datetime | None = None) -> None:
    if not has_accepted(session, officer, version):
        session.add(ConductAcceptance(officer_id=officer.id, version=version, accepted_at=now or utcnow(), source=source[:64]))
