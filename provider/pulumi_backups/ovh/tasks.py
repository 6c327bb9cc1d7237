"""Waiting for OVHcloud tasks: web-hosting tasks and NAS-HA tasks.

Hosting task statuses: init, todo, doing -> done; ``cancelled`` is a failure (``error``, which
``hosting.web.task.StatusEnum`` does not list, is taken as one too). A
finished task is archived after a while and then answers 404: OVHcloud's own tooling takes
that as finished, and so do we (the caller re-reads the object it cares about).

NAS-HA tasks carry ``taskId`` (not ``id``) and fail with cancelled, customerError or ovhError;
their ``operation`` and ``details`` go into the error.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import NotFoundError
from ..core.waiting import SYSTEM_CLOCK, Clock, WaitPolicy, wait_until
from .client import OvhClient

HOSTING_FAILED = frozenset({"error", "cancelled"})
NASHA_FAILED = frozenset({"cancelled", "customerError", "ovhError"})


def _wait_task(
    client: OvhClient,
    path: str,
    task: dict[str, Any],
    *,
    what: str,
    failed: frozenset[str],
    policy: WaitPolicy,
    clock: Clock,
    details: str | None = None,
) -> dict[str, Any]:
    """Poll ``path`` until the task is done; a 404 there means done and archived. The task's
    ``details`` field, when its model has one, goes into a failure's message."""
    if task.get("status") == "done":
        return task

    def fetch() -> dict[str, Any]:
        try:
            found: dict[str, Any] = client.get(path)
        except NotFoundError:
            return {**task, "status": "done", "archived": True}
        return found

    return wait_until(
        fetch,
        lambda t: t.get("status") == "done",
        what=what,
        status=lambda t: str(t.get("status")),
        failed=lambda t: t.get("status") in failed,
        detail=lambda t: str(t.get(details) or "") if details else "",
        policy=policy,
        clock=clock,
    )


def wait_hosting_task(
    client: OvhClient,
    service_name: str,
    task: dict[str, Any],
    policy: WaitPolicy,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, Any]:
    """Wait for a hosting task (as returned by the mutating call); return its last state."""
    return _wait_task(
        client,
        f"/hosting/web/{service_name}/tasks/{task['id']}",
        task,
        what=f"hosting task {task.get('function', '?')} #{task['id']} on {service_name}",
        failed=HOSTING_FAILED,
        policy=policy,
        clock=clock,
    )


def wait_nasha_task(
    client: OvhClient,
    service_name: str,
    task: dict[str, Any],
    policy: WaitPolicy,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, Any]:
    """Wait for a NAS-HA task (as returned by the mutating call); return its last state."""
    return _wait_task(
        client,
        f"/dedicated/nasha/{service_name}/task/{task['taskId']}",
        task,
        what=f"NAS-HA task {task.get('operation', '?')} #{task['taskId']} on {service_name}",
        failed=NASHA_FAILED,
        policy=policy,
        clock=clock,
        details="details",
    )
