"""Utilisateurs de la mesure de charge (`bench/charge.py`, qui lance locust sur ce fichier).

Chaque utilisateur virtuel prend un rôle à tour de rôle et sa session déjà ouverte (cookie
préparé par bench/charge.py, fichier JSON désigné par BENCH_CHARGE_PAGES), puis enchaîne
les pages de ce rôle au hasard, avec 1 à 2 s de lecture entre deux pages."""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["BENCH_CHARGE_PAGES"], encoding="utf-8") as fichier:
    PREPARATION = json.load(fichier)
ROLES = itertools.cycle(sorted(PREPARATION["sessions"]))


class Professionnel(HttpUser):
    wait_time = between(1, 2)

    def on_start(self):
        self.role = next(ROLES)
        self.client.cookies.set(PREPARATION["cookie"], PREPARATION["sessions"][self.role])
        self.pages = [p for p in PREPARATION["pages"] if p["role"] == self.role]

    @task
    def page(self):
        page = random.choice(self.pages)  # noqa: S311 — tirage de charge, pas de la sécurité
        with self.client.get(
            page["url"], name=page["nom"], allow_redirects=False, catch_response=True
        ) as reponse:
            if reponse.status_code != 200:
                reponse.failure(f"HTTP {reponse.status_code}")
