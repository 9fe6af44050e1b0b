"""Vidage rapide de la base après un test transactionnel (parcours navigateur, `live_server`).

Django vide la base par `flush` : un seul `TRUNCATE` des 82 tables. Sur PostgreSQL, chaque
table vidée ainsi reçoit de nouveaux fichiers (table, index, TOAST) : 3 à 6 s sur cette
machine chargée même quand les tables sont vides, à chaque parcours. Un `DELETE` par table
fait le même travail en 0,3 s, mais les déclencheurs l'arrêtent (journal d'audit en ajout
seul, django-pgtrigger) et les clés étrangères imposeraient un ordre : il est joué en
`session_replication_role = replica`, qui ne déclenche ni les uns ni les autres, dans la
transaction du vidage (`SET LOCAL`). Rien n'est perdu : `TRUNCATE` ne déclenche pas non plus
les déclencheurs de ligne, et toutes les tables sont vidées, donc aucune référence ne reste.
Les séquences ne sont pas remises à zéro, comme avec le `flush` des tests (`reset_sequences`
faux) ; s'il le faut (`reset_sequences=True`), ou sans droit de superutilisateur (requis par
`session_replication_role`), c'est le `TRUNCATE` de Django. Vérifié par
tests/accompagnement/test_vidage_base.py.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_sql_flush_de_django = DatabaseOperations.sql_flush


def _superutilisateur(connexion) -> bool:
    if not hasattr(connexion, "_vidage_superutilisateur"):
        with connexion.cursor() as curseur:
            curseur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            connexion._vidage_superutilisateur = bool(curseur.fetchone()[0])
    return connexion._vidage_superutilisateur


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or not _superutilisateur(self.connection):
        return _sql_flush_de_django(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [
        "SET LOCAL session_replication_role = replica;",
        *(f"DELETE FROM {self.quote_name(table)};" for table in tables),  # noqa: S608 (modèles)
        "SET LOCAL session_replication_role = DEFAULT;",
    ]


def installer() -> None:
    DatabaseOperations.sql_flush = sql_flush
