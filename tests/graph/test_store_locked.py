"""The embedded store is locked (issue 18, item 7): a generated password, the data directory and
everything in it readable by its owner alone, ``falkordb://`` URIs with a password.

The findings: the embedded server accepted connections without a password, and its data
directory (0755) and append-only files (0644) were readable by any local user.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import redis

from graph.settings import Settings
from graph.store import GraphError, open_store
from graph.store.embedded import (
    CONFIG_FILE,
    PASSWORD_FILE,
    ensure_server,
    password_of,
    ping,
    stop_server,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(directory: Path) -> dict[str, int]:
    return {
        str(path.relative_to(directory)): _mode(path) for path in [directory, *directory.rglob("*")]
    }


def test_the_data_directory_and_its_files_are_the_owner_s_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ensure_server(data_dir)
    try:
        store = open_store(Settings(graph_uri=server.uri, graph_name="locked", data_dir=data_dir))
        for n in range(50):
            store.run("CREATE (:Person {id: $id, address: 'secret'})", {"id": f"p{n}"})
        connection = redis.Redis(host=server.host, port=server.port, password=server.password)
        connection.bgrewriteaof()  # new append-only files, written by the server itself
        while int(connection.info("persistence")["aof_rewrite_in_progress"]):
            pass  # the server reports when the rewrite is done
        connection.close()
        store.close()
        modes = _modes(data_dir)
        assert (data_dir / "appendonlydir").is_dir() and len(modes) > 5
        wrong = {
            name: oct(mode)
            for name, mode in modes.items()
            if mode != (0o700 if (data_dir / name).is_dir() else 0o600)
        }
        assert wrong == {}
    finally:
        stop_server(data_dir)


def test_the_server_needs_its_password_and_it_is_not_on_its_command_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ensure_server(data_dir)
    try:
        password = server.password
        assert password == (data_dir / PASSWORD_FILE).read_text().strip() and len(password) >= 32
        anyone = redis.Redis(host=server.host, port=server.port)
        with pytest.raises(redis.exceptions.AuthenticationError):
            anyone.ping()
        anyone.close()
        assert not ping(server.port, expected_pid=server.pid)
        assert ping(server.port, expected_pid=server.pid, password=password)
        assert password.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert f"requirepass {password}" in (data_dir / CONFIG_FILE).read_text()
    finally:
        stop_server(data_dir)


def test_falkordb_uris_take_a_password(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ensure_server(data_dir, stop_at_exit=False)
    try:
        password = password_of(data_dir)
        for uri, extra in (
            (f"falkordb://:{password}@127.0.0.1:{server.port}", {}),
            (f"falkordb://default:{password}@127.0.0.1:{server.port}", {}),
            (f"falkordb://127.0.0.1:{server.port}", {"graph_password": password}),
        ):
            store = open_store(Settings(graph_uri=uri, graph_name="uri_pw", **extra))
            store.run("MERGE (:Person {id: 'p1'})")
            assert store.run("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 1}]
            store.close()
        with pytest.raises(GraphError):
            open_store(Settings(graph_uri=f"falkordb://127.0.0.1:{server.port}"))
        with pytest.raises(GraphError):
            open_store(Settings(graph_uri=f"falkordb://:wrong@127.0.0.1:{server.port}"))
        shown = Settings(graph_uri=f"falkordb://:{password}@127.0.0.1:{server.port}")
        assert password not in shown.graph_uri_shown and "***" in shown.graph_uri_shown
    finally:
        stop_server(data_dir)


def test_a_directory_made_before_is_narrowed_when_the_server_starts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    old = data_dir / "falkordb.log"
    old.write_text("an older version's log\n")
    old.chmod(0o644)
    ensure_server(data_dir)
    try:
        assert _mode(data_dir) == 0o700
        assert _mode(old) == 0o600
    finally:
        stop_server(data_dir)
