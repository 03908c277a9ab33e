"""The gates' cache key follows the helpers they learn through, so Rasa never reuses a gate
fitted on features the code no longer computes."""

from __future__ import annotations

import shutil

from nlu_components import code_fingerprint
from nlu_components.danger_gate import DangerGate
from nlu_components.domain_gate import DomainGate


def test_both_gates_add_the_package_fingerprint_to_their_cache_key():
    assert DangerGate.fingerprint_addon({}) == code_fingerprint.package_fingerprint()
    assert DomainGate.fingerprint_addon({}) == code_fingerprint.package_fingerprint()


def test_a_change_to_a_helper_or_a_lexicon_changes_the_fingerprint(tmp_path, monkeypatch):
    copy = tmp_path / "nlu_components"
    shutil.copytree(code_fingerprint.PACKAGE, copy, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    monkeypatch.setattr(code_fingerprint, "PACKAGE", copy)

    def fingerprint() -> str:
        code_fingerprint.package_fingerprint.cache_clear()
        return code_fingerprint.package_fingerprint()

    before = fingerprint()
    assert fingerprint() == before  # stable
    (copy / "danger_reader.py").write_text((copy / "danger_reader.py").read_text() + "\n# a change\n")
    after_code = fingerprint()
    assert after_code != before
    (copy / "regional_lexicon.yml").write_text((copy / "regional_lexicon.yml").read_text() + "\n# a word\n")
    assert fingerprint() != after_code
    code_fingerprint.package_fingerprint.cache_clear()
