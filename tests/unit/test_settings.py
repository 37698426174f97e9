"""Every setting is documented in .env.example (the deployment's reference) and read from the environment."""
import re
from pathlib import Path

from indexing.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _env_name(name: str, field) -> str:
    alias = field.validation_alias
    if alias is not None:
        return alias.choices[0] if hasattr(alias, "choices") else str(alias)
    return f"HASHLENS_{name.upper()}"


def test_env_example_lists_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    wanted = {_env_name(name, field) for name, field in Settings.model_fields.items()}
    assert wanted - documented == set()
    assert documented - wanted == set()  # nothing documented that the service ignores


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HASHLENS_USER_PER_MINUTE", "5")
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/1")
    monkeypatch.setenv("HASHLENS_SCHEDULER_IN_BOT", "false")
    s = Settings(_env_file=None)
    assert (s.user_per_minute, s.redis_url, s.scheduler_in_bot) == (5, "redis://example:6379/1", False)


def test_env_example_values_are_the_defaults():
    """Copying .env.example to .env must not change the service (it once pinned an English-only text model)."""
    from_example = Settings(_env_file=ROOT / ".env.example")
    defaults = Settings(_env_file=None)
    differing = {name for name in Settings.model_fields if getattr(from_example, name) != getattr(defaults, name)}
    assert differing == set()


def test_the_vector_backend_is_checked_and_milvus_defaults_to_a_lite_file(monkeypatch, tmp_path):
    import pytest
    from pydantic import ValidationError

    from indexing.milvus_index import collection_prefix

    s = Settings(_env_file=None, data_dir=tmp_path)
    assert s.vector_backend == "hnswlib" and s.milvus_location == str(tmp_path / "milvus" / "hashlens.db")
    monkeypatch.setenv("HASHLENS_VECTOR_BACKEND", "milvus")
    monkeypatch.setenv("HASHLENS_MILVUS_URI", "http://milvus:19530")
    s = Settings(_env_file=None)
    assert (s.vector_backend, s.milvus_location) == ("milvus", "http://milvus:19530")
    monkeypatch.setenv("HASHLENS_VECTOR_BACKEND", "faiss")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
    assert collection_prefix("test12x3") == "hashlens_test12x3" and collection_prefix("hl:v2-a") == "hashlens_hl_v2_a"
