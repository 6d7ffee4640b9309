"""The embedded FalkorDB server: persistence, crash recovery, sharing between processes.

Each test runs its own server in its own temporary data directory (not the session's), so these
run whatever backend the rest of the suite is configured for.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import GraphStore, open_store
from graph.store.embedded import (
    PID_FILE,
    EmbeddedServer,
    ensure_server,
    password_of,
    ping,
    running_server,
    stop_server,
)

GRAPH = "embedded_test"
ADD_PERSON = "CREATE (:Person {id: $id})"
PERSON_IDS = "MATCH (p:Person) RETURN p.id AS id ORDER BY id"

# A second process: opens the store from the data dir, reports the server it got, writes a
# person, then waits for a line on stdin (so the parent decides when it exits) and exits.
CHILD = textwrap.dedent(
    """
    import json, sys
    from graph.settings import Settings
    from graph.store import open_store
    from graph.store.embedded import running_server

    data_dir, graph, person_id = sys.argv[1:4]
    store = open_store(Settings(graph_uri="embedded://", data_dir=data_dir, graph_name=graph))
    server = running_server(data_dir)
    store.run("CREATE (:Person {id: $id})", {"id": person_id})
    print(json.dumps({"pid": server.pid, "port": server.port,
                      "started_here": server.started_here}), flush=True)
    sys.stdin.readline()
    """
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "data"
    yield directory
    stop_server(directory)


def _open(data_dir: Path) -> GraphStore:
    return open_store(Settings(graph_uri="embedded://", data_dir=data_dir, graph_name=GRAPH))


def _person_ids(store: GraphStore) -> list[str]:
    return [row["id"] for row in store.run(PERSON_IDS, write=False)]


def _start_child(data_dir: Path, person_id: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), GRAPH, person_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _report(child: subprocess.Popen[str]) -> dict[str, object]:
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        _, stderr = child.communicate(timeout=30)
        pytest.fail(f"child process failed:\n{stderr}")
    report: dict[str, object] = json.loads(line)
    return report


def _let_exit(child: subprocess.Popen[str]) -> None:
    _, stderr = child.communicate(input="\n", timeout=30)
    assert child.returncode == 0, stderr


def _server(data_dir: Path) -> EmbeddedServer:
    server = running_server(data_dir)
    assert server is not None, f"no server running in {data_dir}"
    return server


def test_start_writes_a_pid_file_and_a_second_call_reuses_the_server(data_dir: Path) -> None:
    first = ensure_server(data_dir)
    second = ensure_server(data_dir)

    recorded = json.loads((data_dir / PID_FILE).read_text())
    assert (recorded["pid"], recorded["port"]) == (first.pid, first.port)
    assert (second.pid, second.port) == (first.pid, first.port)
    assert ping(first.port, expected_pid=first.pid, password=first.password)


def test_stop_shuts_the_server_down_and_removes_the_pid_file(data_dir: Path) -> None:
    server = ensure_server(data_dir)

    assert stop_server(data_dir) is True

    assert not ping(server.port, password=server.password)
    assert not (data_dir / PID_FILE).exists()
    assert running_server(data_dir) is None
    assert stop_server(data_dir) is False


def test_data_survives_a_killed_server_and_a_stale_pid_file_starts_a_fresh_one(
    data_dir: Path,
) -> None:
    store = _open(data_dir)
    store.run("UNWIND $ids AS id CREATE (:Person {id: id})", {"ids": ["p1", "p2"]})
    store.run(ADD_PERSON, {"id": "p3"})
    killed = _server(data_dir)
    store.close()

    os.kill(killed.pid, signal.SIGKILL)

    assert (data_dir / PID_FILE).exists(), "a crash leaves the pid file behind"
    assert running_server(data_dir) is None, "a pid file naming a dead server is stale"
    reopened = _open(data_dir)
    try:
        restarted = _server(data_dir)
        assert restarted.pid != killed.pid
        assert _person_ids(reopened) == ["p1", "p2", "p3"]
    finally:
        reopened.close()


def test_a_pid_file_naming_another_live_process_is_stale(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    listener = ensure_server(data_dir / "elsewhere")  # a live process answering on a port...
    (data_dir / PID_FILE).write_text(json.dumps({"pid": os.getpid(), "port": listener.port}))

    server = ensure_server(data_dir)  # ...but not as the pid in the file

    assert server.pid not in (os.getpid(), listener.pid)
    assert server.port != listener.port
    stop_server(data_dir / "elsewhere")


def test_a_second_process_uses_the_running_server(data_dir: Path) -> None:
    store = _open(data_dir)
    server = _server(data_dir)

    child = _start_child(data_dir, "from-child")
    report = _report(child)
    _let_exit(child)

    assert (report["pid"], report["port"], report["started_here"]) == (
        server.pid,
        server.port,
        False,
    )
    assert _person_ids(store) == ["from-child"]
    assert ping(server.port, expected_pid=server.pid, password=server.password), (
        "the child must not stop our server"
    )
    store.close()


def test_two_processes_starting_at_once_share_one_server(data_dir: Path) -> None:
    children = [_start_child(data_dir, f"p{i}") for i in range(2)]
    reports = [_report(child) for child in children]

    assert reports[0]["port"] == reports[1]["port"]
    assert reports[0]["pid"] == reports[1]["pid"]
    assert sorted(bool(report["started_here"]) for report in reports) == [False, True]
    for child in children:
        _let_exit(child)
    store = _open(data_dir)
    assert _person_ids(store) == ["p0", "p1"]
    store.close()


def test_a_process_that_started_the_server_stops_it_on_exit(data_dir: Path) -> None:
    child = _start_child(data_dir, "p1")
    report = _report(child)
    _let_exit(child)

    assert report["started_here"] is True
    assert running_server(data_dir) is None
    assert not ping(int(str(report["port"])), password=password_of(data_dir))


def test_the_starting_process_leaves_the_server_running_while_another_uses_it(
    data_dir: Path,
) -> None:
    child = _start_child(data_dir, "p1")
    report = _report(child)
    store = _open(data_dir)  # this process is now connected too

    _let_exit(child)

    server = _server(data_dir)
    assert (server.pid, server.port) == (report["pid"], report["port"])
    assert _person_ids(store) == ["p1"]
    store.close()


def test_stop_rewrites_a_grown_append_only_file_as_a_snapshot(data_dir: Path) -> None:
    store = _open(data_dir)
    notes = [{"id": f"p{i}", "note": "x" * 200} for i in range(6000)]  # ~1.3 MB of statements
    store.run(
        "UNWIND $people AS person CREATE (:Person {id: person.id, note: person.note})",
        {"people": notes},
    )
    store.close()

    stop_server(data_dir)

    files = {path.suffix: path.stat().st_size for path in (data_dir / "appendonlydir").iterdir()}
    assert files[".rdb"] > 10_000, files  # the snapshot holds the people (compressed)
    assert files[".aof"] < 1_000, files
    reopened = _open(data_dir)
    assert reopened.run("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 6000}]
    reopened.close()


def test_db_start_adopts_a_server_another_process_started_so_it_keeps_running(
    data_dir: Path,
) -> None:
    child = _start_child(data_dir, "p1")
    report = _report(child)

    adopted = ensure_server(data_dir, stop_at_exit=False)  # what `carecircles db start` does
    _let_exit(child)

    assert adopted.keep_running is True
    assert json.loads((data_dir / PID_FILE).read_text())["keep_running"] is True
    server = _server(data_dir)
    assert (server.pid, server.port) == (report["pid"], report["port"])


def test_a_server_is_stopped_at_exit_even_after_its_data_directory_was_deleted(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(
        """
        import json, sys, tempfile
        from pathlib import Path
        from graph.settings import Settings
        from graph.store import open_store
        from graph.store.embedded import running_server

        with tempfile.TemporaryDirectory(dir=sys.argv[1]) as data_dir:
            store = open_store(Settings(graph_uri="embedded://", data_dir=Path(data_dir)))
            server = running_server(data_dir)
            store.close()
        print(json.dumps({"pid": server.pid, "port": server.port}), flush=True)
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)

    assert not ping(report["port"], password=password_of(tmp_path))
    with pytest.raises(ProcessLookupError):
        os.kill(report["pid"], 0)
