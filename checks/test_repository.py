"""The README's two commands are the ones CI and the Docker files run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_gives_the_demo_and_test_commands():
    assert "scripts/demo.sh" in README
    assert "scripts/test.sh" in README
    assert (ROOT / "scripts/demo.sh").stat().st_mode & 0o111
    assert (ROOT / "scripts/test.sh").stat().st_mode & 0o111


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text()
    assert re.search(r"^[^#\n]*scripts/test\.sh", ci, re.M)


def test_docker_files_follow_the_official_image():
    compose = (ROOT / "docker/docker-compose.yml").read_text()
    test_image = (ROOT / "docker/Dockerfile.test").read_text()
    assert "odoo:18.0" in (ROOT / "docker/Dockerfile").read_text()
    assert "/mnt/extra-addons" in compose
    assert "postgres" in compose
    assert "chrome" in test_image and "requirements-test.txt" in test_image
    assert "websocket-client" in (ROOT / "requirements-test.txt").read_text()
    assert "scripts/test.sh" in compose + test_image
