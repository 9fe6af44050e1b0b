"""Mesure du démarrage de `make run` sur un clone neuf (voir bench/README.md).

1. `git clone` du dépôt dans un dossier temporaire ;
2. premier `make run PORT=…` : durée jusqu'à ce que la page de connexion réponde 200,
   puis jusqu'à la fin du chargement de la démonstration en arrière-plan ;
3. Ctrl-C (SIGINT au groupe de processus, comme le terminal) : plus aucun processus
   PostgreSQL sur le `var/pgdata` du clone ;
4. second `make run` : même mesure, même arrêt ;
5. une commande qui démarre la base embarquée, puis `make stop` : plus aucun processus.

Tout ce que la mesure démarre est arrêté par elle (groupe de processus, `pg_ctl` du
clone) ; les PostgreSQL embarqués des autres copies de travail ne sont jamais touchés.
Résultat : bench/resultats/demarrage.json.

    python -m bench.demarrage [--port 8765] [--dossier /tmp/clone-demarrage]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats" / "demarrage.json"


def processus_postgres(pgdata: Path) -> list[int]:
    """Pids des processus postgres dont la ligne de commande désigne ce pgdata."""
    pids = []
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            args = (entree / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"postgres") and str(pgdata).encode() in args:
            pids.append(int(entree.name))
    return pids


def cpu_de_la_session(session: int) -> float:
    """Temps CPU (utilisateur + système, enfants terminés compris) des processus de cette
    session, sauf PostgreSQL : ce que `make run` a consommé jusqu'ici."""
    tic = os.sysconf("SC_CLK_TCK")
    total = 0
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            stat = (entree / "stat").read_text()
        except OSError:
            continue
        nom, champs = (
            stat[stat.index("(") + 1 : stat.rindex(")")],
            stat[stat.rindex(")") + 2 :].split(),
        )
        # champs[0] = état (3e champ de /proc/pid/stat) : session = 6e, utime… = 14e à 17e
        if int(champs[3]) == session and nom != "postgres":
            total += sum(int(c) for c in champs[11:15])
    return total / tic


def cpu_postgres(pgdata: Path) -> float:
    """Temps CPU du PostgreSQL embarqué de ce pgdata : le postmaster, ses processus
    terminés (cutime) et ceux qui tournent encore."""
    tic = os.sysconf("SC_CLK_TCK")
    postmasters = set(processus_postgres(pgdata))
    total = 0
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            stat = (entree / "stat").read_text()
        except OSError:
            continue
        champs = stat[stat.rindex(")") + 2 :].split()
        pid, parent = int(entree.name), int(champs[1])
        if pid in postmasters:
            total += sum(int(c) for c in champs[11:15])
        elif parent in postmasters:
            total += sum(int(c) for c in champs[11:13])
    return total / tic


def attendre_page(url: str, processus: subprocess.Popen, limite: float) -> float | None:
    debut = time.monotonic()
    while time.monotonic() - debut < limite:
        if processus.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=2) as reponse:  # noqa: S310 (127.0.0.1)
                if reponse.status == 200 and "Connexion" in reponse.read().decode():
                    return time.monotonic() - debut
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return None


def attendre_demo(
    journal: Path, debut: float, processus: subprocess.Popen, limite: float
) -> float | None:
    """Durée (depuis `debut`) jusqu'à la fin du chargement en arrière-plan, s'il y en a un
    pour ce démarrage ; None sinon."""
    depart = time.time() - (time.monotonic() - debut)
    if not journal.exists() or journal.stat().st_mtime < depart:
        return None
    while time.monotonic() - debut < limite and processus.poll() is None:
        if "Département de démonstration prêt" in journal.read_text(errors="replace"):
            return time.monotonic() - debut
        time.sleep(1)
    return None


def lancer_run(clone: Path, port: int, journal: Path) -> dict:
    """Lance `make run`, attend la page de connexion, puis Ctrl-C. Renvoie la durée jusqu'à
    la page, le temps CPU de `make run` jusque-là (hors PostgreSQL) et si la base est
    arrêtée après le Ctrl-C."""
    with journal.open("a") as sortie:
        sortie.write(f"\n===== make run PORT={port} =====\n")
        sortie.flush()
        processus = subprocess.Popen(  # noqa: S603 (make du clone, arguments fixes)
            ["make", "run", f"PORT={port}"],  # noqa: S607 (make du PATH, banc local)
            cwd=clone,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Un processus lancé en arrière-plan hérite souvent de SIGINT ignoré : le Ctrl-C
            # simulé doit être reçu comme dans un terminal.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        debut = time.monotonic()
        duree = attendre_page(f"http://127.0.0.1:{port}/connexion/", processus, limite=300)
        cpu = cpu_de_la_session(processus.pid)
        cpu_pg = cpu_postgres(clone / "var" / "pgdata")
        # La démonstration chargée en arrière-plan (var/seed_demo.log) : attendre sa fin
        # avant le Ctrl-C, pour que le démarrage suivant la trouve complète.
        complete = attendre_demo(clone / "var" / "seed_demo.log", debut, processus, limite=900)
        cpu_complete = cpu_de_la_session(processus.pid) if complete is not None else None
        os.killpg(processus.pid, signal.SIGINT)  # le Ctrl-C du terminal
        fin = time.monotonic() + 60
        while time.monotonic() < fin and processus.poll() is None:
            time.sleep(0.1)
        if processus.poll() is None:
            os.killpg(processus.pid, signal.SIGKILL)
            processus.wait()
    time.sleep(0.5)
    return {
        "duree_s": round(duree, 1) if duree is not None else None,
        # démonstration complète (chargement en arrière-plan terminé), depuis le lancement
        "demo_complete_s": round(complete, 1) if complete is not None else None,
        "cpu_demo_complete_s": round(cpu_complete, 1) if cpu_complete is not None else None,
        # temps CPU de make et de ses descendants jusqu'à la page (hors PostgreSQL)
        "cpu_s": round(cpu, 1),
        # … et celui du PostgreSQL embarqué (initdb compris dans le précédent)
        "cpu_postgres_s": round(cpu_pg, 1),
        "base_arretee_apres_ctrl_c": not processus_postgres(clone / "var" / "pgdata"),
        "code_retour": processus.returncode,
    }


def arreter_restes(clone: Path) -> None:
    """Filet de sécurité : arrête le PostgreSQL embarqué du clone s'il tourne encore."""
    pgdata = clone / "var" / "pgdata"
    if not processus_postgres(pgdata):
        return
    subprocess.run(["make", "stop"], cwd=clone, check=False, capture_output=True)  # noqa: S607 (banc local)
    pid_file = pgdata / "postmaster.pid"
    if processus_postgres(pgdata) and pid_file.exists():
        os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)  # arrêt rapide
        time.sleep(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--dossier", type=Path, default=Path("/tmp/clone-demarrage"))  # noqa: S108 (banc local, option)
    args = parser.parse_args()
    clone: Path = args.dossier.resolve()
    journal = clone.with_name(clone.name + ".log")
    if clone.exists():
        arreter_restes(clone)
        shutil.rmtree(clone)
    journal.write_text("")
    subprocess.run(["git", "clone", "-q", str(RACINE), str(clone)], check=True)  # noqa: S603, S607 (git du PATH, notre dépôt)
    resultat: dict = {}
    try:
        charge = os.getloadavg()[0]
        premier = lancer_run(clone, args.port, journal)
        second = lancer_run(clone, args.port, journal)
        # Une commande qui démarre la base, puis `make stop`.
        subprocess.run(  # noqa: S603 (arguments fixes, banc local)
            [str(clone / ".venv" / "bin" / "python"), "manage.py", "migrate", "--check"],
            cwd=clone,
            check=False,
            capture_output=True,
        )
        demarree = bool(processus_postgres(clone / "var" / "pgdata"))
        debut_stop = time.monotonic()
        stop = subprocess.run(["make", "stop"], cwd=clone, check=False, capture_output=True)  # noqa: S607 (banc local)
        duree_stop = time.monotonic() - debut_stop
        resultat = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": f"{platform.platform()}, {os.cpu_count()} cœurs",
            "charge_au_debut": round(charge, 1),
            "premier_demarrage": premier,
            "second_demarrage": second,
            "make_stop": {
                "base_demarree_avant": demarree,
                "code_retour": stop.returncode,
                "duree_s": round(duree_stop, 1),
                "base_arretee": not processus_postgres(clone / "var" / "pgdata"),
            },
            "journal": str(journal),
        }
    finally:
        arreter_restes(clone)
    print(json.dumps(resultat, ensure_ascii=False, indent=2))
    RESULTATS.write_text(json.dumps(resultat, ensure_ascii=False, indent=2) + "\n")
    demarrages = [resultat.get("premier_demarrage", {}), resultat.get("second_demarrage", {})]
    ok = (
        all(d.get("duree_s") and d["base_arretee_apres_ctrl_c"] for d in demarrages)
        and (resultat["make_stop"]["base_arretee"])
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
