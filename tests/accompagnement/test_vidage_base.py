"""Le vidage de la base après un test transactionnel (tests/vidage.py : DELETE sans
déclencheurs au lieu du TRUNCATE de Django) la laisse vraiment vide : aucune ligne, y
compris dans le journal d'audit en ajout seul, et aucun événement d'historique écrit par
le vidage lui-même. L'ordre des tests de ce module compte (un seul processus par fichier)."""

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from accompagnement import audit
from accompagnement.models import ActionAudit, EvenementAudit, MembershipHistorique
from tests.accompagnement.factories import MembershipFactory

# Tables que le signal post_migrate, émis par `flush`, remplit de nouveau.
REMPLIES_PAR_POST_MIGRATE = {"django_content_type", "auth_permission"}


def tables_non_vides() -> set[str]:
    tables = connection.introspection.django_table_names(only_existing=True)
    q = connection.ops.quote_name
    requete = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {q(table)})"  # noqa: S608 (tables des modèles)
        for table in tables
    )
    with connection.cursor() as curseur:
        curseur.execute(requete, tables)
        return {ligne[0] for ligne in curseur.fetchall()}


def remplir():
    """Des lignes dans des tables liées par clés étrangères, dans une table d'historique
    (pghistory) et dans le journal d'audit, que ses déclencheurs protègent du DELETE."""
    membership = MembershipFactory()
    audit.enregistrer(action=ActionAudit.CONNEXION, acteur=membership.user)
    assert EvenementAudit.objects.exists()
    assert MembershipHistorique.objects.exists()
    assert len(tables_non_vides() - REMPLIES_PAR_POST_MIGRATE) >= 6


@pytest.mark.django_db(transaction=True)
def test_le_vidage_est_un_delete_sans_declencheurs():
    instructions = connection.ops.sql_flush(no_style(), ["accompagnement_user"])
    assert instructions[0] == "SET LOCAL session_replication_role = replica;"
    assert instructions[1] == 'DELETE FROM "accompagnement_user";'
    # Remise à zéro des séquences demandée : le TRUNCATE de Django.
    avec_sequences = connection.ops.sql_flush(
        no_style(), ["accompagnement_user"], reset_sequences=True
    )
    assert avec_sequences[0].startswith("TRUNCATE")


@pytest.mark.django_db(transaction=True)
def test_flush_vide_toutes_les_tables():
    remplir()
    call_command("flush", interactive=False, reset_sequences=False, verbosity=0)
    assert tables_non_vides() == REMPLIES_PAR_POST_MIGRATE


@pytest.mark.django_db(transaction=True)
def test_un_test_transactionnel_laisse_des_lignes_au_vidage():
    remplir()


@pytest.mark.django_db(transaction=True)
def test_le_test_suivant_trouve_la_base_vide():
    assert tables_non_vides() == REMPLIES_PAR_POST_MIGRATE
