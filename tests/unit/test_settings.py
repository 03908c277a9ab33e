import pytest

from wiring.settings import Settings, read_dotenv


def test_embedded_defaults(tmp_path):
    settings = Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path)})
    assert settings.port == 8080
    assert settings.database_url == f"sqlite:///{tmp_path / 'helpline.db'}"
    assert settings.telegram.bot_token is None
    assert settings.telegram.api_base == "https://api.telegram.org"
    assert settings.whatsapp.api_base.startswith("https://graph.facebook.com/v")


def test_port_must_be_a_number(tmp_path):
    with pytest.raises(ValueError, match="HELPLINE_PORT must be a whole number"):
        Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "HELPLINE_PORT": "eighty"})


def test_acknowledgement_delay_defaults_and_refuses_negative_values(tmp_path):
    assert Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path)}).ack_after_s == 15
    assert Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "HELPLINE_ACK_AFTER_SECONDS": "0"}).ack_after_s == 0
    with pytest.raises(ValueError, match="HELPLINE_ACK_AFTER_SECONDS must be 0 or more seconds, got -5"):
        Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "HELPLINE_ACK_AFTER_SECONDS": "-5"})
    with pytest.raises(ValueError, match="HELPLINE_ACK_AFTER_SECONDS must be a whole number"):
        Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "HELPLINE_ACK_AFTER_SECONDS": "soon"})


def test_secret_key_is_created_once_with_private_permissions(tmp_path):
    settings = Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path)})
    key = settings.resolved_secret_key()
    assert key == settings.resolved_secret_key()
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_dotenv_parsing(tmp_path):
    env = tmp_path / ".env"
    env.write_text("# comment\nexport A=1\nB='two words'\n\nC = \"x\"\nnot a line\n")
    assert read_dotenv(env) == {"A": "1", "B": "two words", "C": "x"}
