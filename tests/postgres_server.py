"""A throwaway PostgreSQL server for the history-store tests.

Started from the machine's own server binaries (`initdb`, `pg_ctl`) in a
temporary directory, listening only on a Unix socket there; as root, the
server runs as the `postgres` system user (`initdb` refuses to run as root).
`CLEARLABEL_PG_BIN` names the directory of the binaries when they are not
on PATH nor under /usr/lib/postgresql/*/bin.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

PORT = 5432        # only names the socket file: the server listens on no TCP port


def server_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, the newest version first."""
    named = os.environ.get("CLEARLABEL_PG_BIN")
    if named:
        return Path(named) if (Path(named) / "initdb").is_file() else None
    found = shutil.which("initdb")
    if found and (Path(found).resolve().parent / "pg_ctl").is_file():
        return Path(found).resolve().parent
    installed = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not installed:
        return None
    newest = max(installed, key=lambda path: [int(n) for n in re.findall(r"\d+", path)])
    return Path(newest).parent


class PostgresServer:
    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.root = Path(tempfile.mkdtemp(prefix="clearlabel-pg-"))
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "clearlabel", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = f"-k {self.root} -p {PORT} -c listen_addresses='' -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}\n{detail}")

    def url(self, database: str = "postgres", **query: str) -> str:
        extra = "".join(f"&{name}={value}" for name, value in query.items())
        return f"postgresql://clearlabel@/{database}?host={self.root}&port={PORT}{extra}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host=str(self.root), port=PORT, user="clearlabel", dbname=database, autocommit=True)

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
