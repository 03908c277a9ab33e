import subprocess

from tests.helpers import PROJECT_ROOT

SCRIPT = str(PROJECT_ROOT / "scripts" / "find-python")


def run(*versions, env):
    return subprocess.run([SCRIPT, *versions], capture_output=True, text=True, env=env)


def test_finds_a_python_312_here():
    import os

    result = run("3.12", "3.13", env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    version = subprocess.run([result.stdout.strip(), "--version"], capture_output=True, text=True).stdout
    assert version.startswith(("Python 3.12", "Python 3.13"))


def test_missing_python_is_named_with_advice(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYENV_ROOT": str(tmp_path), "HOME": str(tmp_path)}
    result = run("3.9.99", env=env)
    assert result.returncode == 1
    assert "no Python 3.9.99 found" in result.stderr
    assert "pyenv install 3.9.99" in result.stderr


def test_pyenv_versions_are_searched(tmp_path):
    fake = tmp_path / "versions" / "3.77.1" / "bin"
    fake.mkdir(parents=True)
    interpreter = fake / "python3.77"
    interpreter.write_text('#!/bin/sh\necho 3.77\n')
    interpreter.chmod(0o755)
    result = run("3.77", env={"PATH": "/usr/bin:/bin", "PYENV_ROOT": str(tmp_path), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(interpreter)
