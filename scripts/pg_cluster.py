"""A throwaway PostgreSQL cluster for the length of one command.

    python scripts/pg_cluster.py -- pytest -x

makes a cluster in a fresh temporary directory, starts it on 127.0.0.1 at a free port, creates
the ``roundtable`` database, runs the command with ``DATABASE_URL`` pointing at it, then stops the
server and removes the directory, whatever happened. The exit code is the command's.

Bench scripts reuse the same cluster through ``throwaway_cluster()``, which yields the URL.

The server binaries come from ``PG_BINDIR``, else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``. initdb and postgres refuse to run as root, so when we are root
they run as the ``postgres`` system user; the command itself runs as the invoking user.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

DATABASE = "roundtable"
SUPERUSER = "postgres"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    # Durability is pointless for data thrown away after the run, and costs most of the time.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
START_TIMEOUT_SECONDS = 60


class ClusterError(RuntimeError):
    """PostgreSQL could not be found, initialised or started; the message says why."""


def server_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        candidates.append(Path(_run([pg_config, "--bindir"], cwd=Path("/")).stdout.strip()))
    # Debian's pg_config may come from libpq-dev and point at /usr/bin, which has no initdb.
    versioned = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versioned, key=lambda bindir: _version_key(bindir.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists():
            return bindir
    raise ClusterError(
        "No PostgreSQL server binaries found (looked at pg_config --bindir and /usr/lib/postgresql/*/bin). "
        "Install them with `apt-get install postgresql`, or set PG_BINDIR."
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _as_server_user(command: list[str]) -> list[str]:
    """The command as run by the postgres system user when we are root, else unchanged."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", SUPERUSER, "--", *command]
    return ["setpriv", f"--reuid={SUPERUSER}", f"--regid={SUPERUSER}", "--init-groups", "--", *command]


def _make_cluster_dir() -> Path:
    # Under /tmp rather than $TMPDIR: the postgres user must be able to reach it, and a
    # root-only TMPDIR (such as one under /root) would be out of its reach.
    cluster_dir = Path(tempfile.mkdtemp(prefix="roundtable-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(cluster_dir, user=SUPERUSER, group=SUPERUSER)
    return cluster_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Commands are built here from fixed arguments and the found server binaries.
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def _initdb(bindir: Path, data_dir: Path) -> None:
    base = [str(bindir / "initdb"), "-D", str(data_dir), "--auth=trust", "-U", SUPERUSER, "--encoding=UTF8"]
    attempts = []
    # C.UTF-8 sorts and classifies like production; plain C is there on every system.
    for locale in ("C.UTF-8", "C"):
        result = _run(_as_server_user([*base, f"--locale={locale}"]), cwd=data_dir.parent)
        if result.returncode == 0:
            return
        attempts.append(f"--- initdb --locale={locale} ---\n{result.stdout}{result.stderr}")
        shutil.rmtree(data_dir, ignore_errors=True)
    raise ClusterError("initdb failed:\n" + "\n".join(attempts))


def _start(bindir: Path, cluster_dir: Path, port: int) -> None:
    data_dir, log_file = cluster_dir / "data", cluster_dir / "server.log"
    settings = {**SERVER_SETTINGS, "port": str(port), "unix_socket_directories": f"'{cluster_dir}'"}
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file)]
    pg_ctl_start = [*pg_ctl, "-w", "-t", str(START_TIMEOUT_SECONDS), "start"]
    started = _run(_as_server_user(pg_ctl_start), cwd=cluster_dir)
    if started.returncode != 0:
        server_log = log_file.read_text() if log_file.exists() else "(no server log was written)"
        raise ClusterError(
            f"PostgreSQL did not start:\n{started.stdout}{started.stderr}\n--- server log ---\n{server_log}"
        )


def _stop(bindir: Path, cluster_dir: Path) -> None:
    # Immediate mode skips the shutdown checkpoint: the data is about to be deleted anyway.
    pg_ctl_stop = [str(bindir / "pg_ctl"), "-D", str(cluster_dir / "data"), "-m", "immediate", "-w", "stop"]
    _run(_as_server_user(pg_ctl_stop), cwd=cluster_dir)


def _create_database(bindir: Path, port: int) -> None:
    createdb = [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, DATABASE]
    result = _run(createdb, cwd=Path("/"))
    if result.returncode != 0:
        raise ClusterError(f"createdb {DATABASE} failed:\n{result.stdout}{result.stderr}")


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a fresh cluster and yield its DATABASE_URL; stop it and delete its files on exit."""
    bindir = server_bindir()
    cluster_dir = _make_cluster_dir()
    try:
        _initdb(bindir, cluster_dir / "data")
        port = _free_port()
        try:
            _start(bindir, cluster_dir, port)
            _create_database(bindir, port)
            yield f"postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
        finally:
            _stop(bindir, cluster_dir)
    finally:
        shutil.rmtree(cluster_dir, ignore_errors=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # Raising unwinds through throwaway_cluster(), so a cancelled CI job leaves no server behind.
    sys.exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command against a throwaway PostgreSQL cluster (DATABASE_URL is set for it).",
        usage="%(prog)s -- COMMAND [ARG ...]",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    command = parser.parse_args(argv).command
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("give the command to run after --")

    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with throwaway_cluster() as database_url:
            print(f"pg_cluster: {database_url}", file=sys.stderr, flush=True)
            # Running the caller's own command line is the point of this CLI.
            result = subprocess.run(command, env={**os.environ, "DATABASE_URL": database_url})
    except ClusterError as error:
        print(f"pg_cluster: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"pg_cluster: command not found: {command[0]}", file=sys.stderr)
        return 127
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    # A command killed by a signal reports -N; the shell convention is 128 + N.
    return result.returncode if result.returncode >= 0 else 128 - result.returncode


if __name__ == "__main__":
    sys.exit(main())
