"""One owner per rule: a help request's status is written only by its lifecycle module."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
LIFECYCLE = APP / "requests" / "lifecycle.py"
# The seeding code writes whole histories of demo and benchmark data (requests already done
# or cancelled when they are created); it changes no live request.
SEEDING = (APP / "seeding",)


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _updates_help_request(call: ast.Call) -> bool:
    """`update(HelpRequest)…values(status=…)`: the chain under a `.values(...)` call."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "update"
               and n.args and _mentions(n.args[0], "HelpRequest") for n in ast.walk(call.func))


def status_writes(source: str) -> list[int]:
    """Line numbers where this source writes a help request's status."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg != "status":
                    continue
                if _mentions(keyword.value, "RequestStatus") or (
                        isinstance(node.func, ast.Attribute) and node.func.attr == "values"
                        and _updates_help_request(node)):
                    lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets) \
                    and node.value is not None and _mentions(node.value, "RequestStatus"):
                lines.append(node.lineno)
    return lines


def test_the_scanner_finds_each_way_of_writing_a_status():
    source = (
        "r.status = RequestStatus.OPEN\n"
        "HelpRequest(code='A', status=RequestStatus.DONE)\n"
        "db.session.execute(update(HelpRequest).where(HelpRequest.id == 1).values(status=s))\n"
        "db.session.execute(update(Session).values(status=s))\n"  # another table: allowed
        "select(HelpRequest).where(HelpRequest.status == RequestStatus.OPEN)\n"  # a read
    )
    assert status_writes(source) == [1, 2, 3]


def test_only_the_lifecycle_module_writes_a_help_requests_status():
    writes = []
    for path in sorted(APP.rglob("*.py")):
        if path == LIFECYCLE or any(path == s or s in path.parents for s in SEEDING):
            continue
        writes += [f"{path.relative_to(APP.parent)}:{line}"
                   for line in status_writes(path.read_text(encoding="utf-8"))]
    assert not writes, ("a help request's status is changed outside app/requests/lifecycle.py; "
                        f"call a transition there instead: {writes}")
