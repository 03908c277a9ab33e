import pytest
import yaml

from bot.supervision.endpoints import write_endpoints
from wiring.settings import Settings


def test_embedded_mode_uses_sqlite_tracker_and_no_lock_store(tmp_path):
    settings = Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "HELPLINE_ACTION_PORT": "6000"})
    written = yaml.safe_load(write_endpoints(settings, tmp_path / "e.yml").read_text())
    assert written["action_endpoint"]["url"] == "http://127.0.0.1:6000/webhook"
    assert written["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    assert "lock_store" not in written


def test_production_mode_uses_postgres_and_redis(tmp_path):
    settings = Settings.from_env(
        {
            "HELPLINE_DATA_DIR": str(tmp_path),
            "TRACKER_STORE_URL": "postgresql://rasa:s%40cret@db.internal:5433/tracker",
            "LOCK_STORE_URL": "redis://127.0.0.1:6380/2",
        }
    )
    written = yaml.safe_load(write_endpoints(settings, tmp_path / "e.yml").read_text())
    assert written["tracker_store"] == {
        "type": "SQL", "dialect": "postgresql", "url": "db.internal", "port": 5433,
        "db": "tracker", "username": "rasa", "password": "s@cret",
    }
    assert written["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6380, "db": 2}


def test_wrong_scheme_is_explained(tmp_path):
    settings = Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "LOCK_STORE_URL": "memcached://x"})
    with pytest.raises(ValueError, match="LOCK_STORE_URL must be a redis:// URL"):
        write_endpoints(settings, tmp_path / "e.yml")
