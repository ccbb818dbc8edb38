"""The peers' virtualenv: tipg, uvicorn and stock pygeoapi, pinned in bench/requirements-peers.txt, installed apart
from the project's own packages (their dependencies would clash) under var/bench/peers/.

    .venv/bin/python bench/peers.py            # create or update it; prints its path

`peers_venv()` is what the bench scripts call: it creates the virtualenv on first use, with the project's Python
(scripts/find-python.sh), and reinstalls only when the requirements file changed (a stamp holds its hash), so a
fresh machine needs nothing but `make bench`. A lock keeps two bench scripts from building it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "bench" / "requirements-peers.txt"
VENV = ROOT / "var" / "bench" / "peers"
STAMP = VENV / "requirements.sha256"


def _project_python() -> str:
    result = subprocess.run([str(ROOT / "scripts" / "find-python.sh")], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or "scripts/find-python.sh found no Python 3.12")
    return result.stdout.strip()


def _wanted() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def _ready() -> bool:
    python = VENV / "bin" / "python"
    if not python.exists() or not STAMP.exists() or STAMP.read_text().strip() != _wanted():
        return False
    return subprocess.run([str(python), "-c", "import tipg, pygeoapi"], capture_output=True).returncode == 0


def peers_venv() -> Path:
    """The peers' virtualenv directory, created or brought up to date first when needed."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "peers.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ready():
            return VENV
        print(f"[peers] installing {REQUIREMENTS.relative_to(ROOT)} into {VENV.relative_to(ROOT)}", flush=True)
        if not (VENV / "bin" / "python").exists():
            subprocess.run([_project_python(), "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        STAMP.write_text(_wanted() + "\n")
    return VENV


if __name__ == "__main__":
    try:
        print(peers_venv())
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f"peers: {error}")
