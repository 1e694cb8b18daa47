"""Kill -9 rounds across intake, the sweep and the outbox, on SQLite and PostgreSQL.

Each component's real process (`amends intake maildir`, `amends intake smtp`,
`amends sweep`, the outbox sender `amends worker --once`) is killed with SIGKILL at a
random, seeded moment, N rounds in a row while new work keeps arriving, then run once
to the end; then every input must be done exactly once (0 lost, 0 duplicated), nothing
left half done (0 stranded) and the database whole (integrity ok). The rounds are the
ones CI runs ten of (tests/durability/rounds.py): one implementation.

Prints one JSON object per component and engine (with the load average: the machine
is shared), then a summary; exits 1 if any check failed.

    python bench/durability.py [--rounds 50] [--engine sqlite|postgresql|both]
        [--component NAME ...] [--seed S] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.durability import rounds

from _common import OUT, emit, progress
from amends.db import make_engine

WORK = OUT / "durability"
# Inputs per round: enough that a run spends a good part of its life working, not
# starting, so random kills land inside the work.
PER_ROUND = {"intake-maildir": 6, "intake-smtp": 4, "sweep": 5, "outbox": 3}
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(engine: str, folder: Path, admin_url: str) -> Iterator[str]:
    """A fresh database for one component: a SQLite file, or a PostgreSQL database
    dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'amends.db'}"
        return
    url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"amends_durability_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--component", action="append", choices=rounds.COMPONENTS)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("AMENDS_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL server's URL; each component gets a new database on it",
    )
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    components = args.component or list(rounds.COMPONENTS)
    results = []
    for engine in engines:
        for component in components:
            folder = WORK / f"{engine}-{component}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            progress(f"{component} on {engine}: {args.rounds} rounds")
            with database(engine, folder, args.postgres) as url:
                place = rounds.open_place(folder, url)
                try:
                    result = rounds.run_component(
                        component,
                        place,
                        rounds=args.rounds,
                        per_round=PER_ROUND[component],
                        seed=args.seed,
                    )
                finally:
                    place.close()
            figures = result.as_dict()
            figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
            figures["ok"] = result.ok
            emit(figures)
            progress(
                f"{component} on {engine}: {result.killed} killed, {result.lost} lost, "
                f"{result.duplicated} duplicated, {result.stranded} stranded, "
                f"integrity {result.integrity}, {result.seconds:.0f} s"
            )
            results.append(result)
    emit(
        {
            "summary": {
                "rounds": sum(r.rounds for r in results),
                "killed": sum(r.killed for r in results),
                "inputs": sum(r.inputs for r in results),
                "lost": sum(r.lost for r in results),
                "duplicated": sum(r.duplicated for r in results),
                "stranded": sum(r.stranded for r in results),
                "integrity_ok": all(r.integrity == "ok" for r in results),
                "ok": all(r.ok for r in results),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        }
    )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
