"""Project-level promises: Binder config, CI entry, no Dockerfile at the root."""

from conftest import ROOT


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "make test" in (ROOT / "README.md").read_text()


def test_binder_config():
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.13"  # the lab image's Python (tests/test_labimage.py checks it)
    assert {"fonts-nanum", "docker-cli"} <= set((binder / "apt.txt").read_text().split())
    assert "DOCKHELPERS_MODE=replay" in (binder / "start").read_text()
    post = (binder / "postBuild").read_text()
    assert "set -e" in post and "pip install" in post
    assert "-r ../requirements.txt" in (binder / "requirements.txt").read_text()
    # A Dockerfile at the root would take over the Binder build.
    assert not (ROOT / "Dockerfile").exists()
