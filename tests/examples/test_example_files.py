"""The examples as files: each is a runnable project with a README, and the gitops pipelines
preview pull requests and apply the main branch with credentials from the CI's secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FOLDERS = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("."))
PLUGIN_FOLDERS = ["plugin-typescript", "plugin-yaml"]
"""Programs in other languages, served by the provider plugin."""
PYTHON_FOLDERS = [f for f in FOLDERS if f not in PLUGIN_FOLDERS]
API_SECRET = re.compile(r"\$\{\{\s*secrets\.((?:OVH|SCW|VPS)_\w+)\s*\}\}")


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_the_issue_s_examples_are_all_there() -> None:
    assert set(FOLDERS) >= {
        "quickstart",
        "predeploy-backup",
        "nasha-snapshots",
        "rdb-backup-export",
        "recover-deleted-database",
        "gitops",
    }


@pytest.mark.parametrize("folder", PYTHON_FOLDERS)
def test_every_example_is_a_python_project_of_its_own(folder: str) -> None:
    """Copyable: its own virtual environment filled from its own requirements, nothing
    reached outside its folder."""
    project = EXAMPLES / folder
    meta = _yaml(project / "Pulumi.yaml")
    options = {"toolchain": "pip", "virtualenv": "venv"}
    assert meta["runtime"] == {"name": "python", "options": options}
    assert meta["name"].startswith("backups-") and meta["description"]
    requirements = [
        line.split()[0]
        for line in (project / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requirements == ["pulumi>=3.268.0,<4.0.0", "pulumi-backups>=0.1"]
    main = (project / "__main__.py").read_text()
    assert "from pulumi_backups import" in main and "../" not in main
    assert (project / "README.md").read_text().startswith(f"# {folder}\n")


@pytest.mark.parametrize("folder", PLUGIN_FOLDERS)
def test_the_plugin_examples_are_projects_of_their_language(folder: str) -> None:
    project = EXAMPLES / folder
    meta = _yaml(project / "Pulumi.yaml")
    assert meta["runtime"] == folder.removeprefix("plugin-").replace("typescript", "nodejs")
    assert meta["name"] == f"backups-{folder}" and meta["description"]
    readme = (project / "README.md").read_text()
    assert readme.startswith(f"# {folder}\n") and "pulumi-resource-backups" in readme


def test_the_virtual_environments_of_the_examples_are_not_committed() -> None:
    assert "examples/*/venv/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_pipelines_install_the_example_s_requirements_not_this_repository() -> None:
    for name in ("github-workflow.yml", "gitlab-ci.yml"):
        text = (EXAMPLES / "gitops" / name).read_text()
        assert "pip install --quiet -r requirements.txt" in text, name
        assert "pip install --quiet ." not in text, name


def test_root_project_runs_the_quickstart_in_the_root_environment() -> None:
    root = _yaml(ROOT / "Pulumi.yaml")
    quickstart = _yaml(EXAMPLES / "quickstart" / "Pulumi.yaml")
    # No `main`: dynamic providers would look for the virtualenv relative to it.
    assert "main" not in root
    assert "examples/quickstart/__main__.py" in (ROOT / "__main__.py").read_text()
    assert root["runtime"] == {"name": "python", "options": {"virtualenv": ".venv"}}
    assert root["name"] == quickstart["name"]  # the same config keys either way


def test_github_workflow_previews_pull_requests_and_applies_main() -> None:
    workflow = _yaml(EXAMPLES / "gitops" / "github-workflow.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["pull_request"]["branches"] == ["main"]
    assert triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    assert _pulumi_step(jobs["preview"])["command"] == "preview"
    assert "pull_request" in jobs["preview"]["if"]
    assert _pulumi_step(jobs["up"])["command"] == "up"
    assert "refs/heads/main" in jobs["up"]["if"]
    for job in (jobs["preview"], jobs["up"]):
        assert _pulumi_step(job)["work-dir"] == "examples/gitops"
        assert _pulumi_step(job)["stack-name"] == "production"


def test_github_workflow_gives_api_secrets_to_the_up_job_only() -> None:
    text = (EXAMPLES / "gitops" / "github-workflow.yml").read_text()
    workflow = yaml.safe_load(text)
    up_env = workflow["jobs"]["up"]["env"]
    assert set(API_SECRET.findall(text)) == {
        "OVH_APPLICATION_KEY",
        "OVH_APPLICATION_SECRET",
        "OVH_CONSUMER_KEY",
        "VPS_API_TOKEN",
        "SCW_SECRET_KEY",
    }
    assert all(up_env[name] == f"${{{{ secrets.{name} }}}}" for name in API_SECRET.findall(text))
    assert "env" not in workflow["jobs"]["preview"]
    assert not API_SECRET.search(yaml.safe_dump(workflow.get("env", {})))


def test_gitlab_pipeline_previews_merge_requests_and_applies_main() -> None:
    pipeline = _yaml(EXAMPLES / "gitops" / "gitlab-ci.yml")
    preview, up = pipeline["preview"], pipeline["up"]
    assert preview["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert preview["script"] == ['pulumi preview --stack "$PULUMI_STACK" --diff --non-interactive']
    assert up["rules"][0]["if"] == '$CI_COMMIT_BRANCH == "main"'
    assert up["script"] == ['pulumi up --stack "$PULUMI_STACK" --yes --non-interactive']
    assert "cd examples/gitops" in pipeline[".pulumi"]["before_script"]


def _pulumi_step(job: dict[str, Any]) -> dict[str, Any]:
    step = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@"))
    inputs: dict[str, Any] = step["with"]
    return inputs
