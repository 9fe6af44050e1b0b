"""Import data·inclusion : fichier de démonstration, idempotence, lignes invalides (tout
ou rien, import partiel), anciennes thématiques v0, fichiers cassés ou hostiles, CSV."""

import datetime as dt
import io
import json
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.models import EvenementAudit
from accompagnement.referentiels import DOMAINE_PAR_CATEGORIE_V1
from conventions import datainclusion as di
from conventions.imports import (
    TAILLE_MAX,
    Action,
    ErreurFichier,
    analyser,
    appliquer,
    importer,
    lire,
    lire_flux,
)
from conventions.models import ServiceRessource, StructureRessource
from tests.accompagnement.factories import DepartementFactory
from tests.conventions.factories import ServiceRessourceFactory

pytestmark = pytest.mark.django_db

HIER = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def structure(n: int = 1, **autres) -> dict:
    return {
        "source": "dora",
        "id": f"dora--s{n}",
        "nom": f"Centre social n°{n}",
        "date_maj": HIER,
        "commune": "Besançon",
        "code_insee": "25056",
        **autres,
    }


def service(n: int = 1, structure_id: str = "dora--s1", **autres) -> dict:
    return {
        "source": "dora",
        "structure_id": structure_id,
        "id": f"dora--sv{n}",
        "nom": f"Service n°{n}",
        "description": "Un service pour tester l'import.",
        "date_maj": HIER,
        "thematiques": ["logement-hebergement--louer-un-logement"],
        "zone_eligibilite": ["25056"],
        **autres,
    }


def octets(structures=(), services=()) -> bytes:
    return json.dumps(
        {"structures": list(structures), "services": list(services)}, ensure_ascii=False
    ).encode()


@pytest.fixture
def dep():
    return DepartementFactory(code_insee="25", nom="Doubs")


def _importer(contenu: bytes, dep, **options):
    return importer(contenu, "ressources.json", departement=dep, par=None, **options)


# --- Fichier de démonstration -----------------------------------------------------------------


def test_le_fichier_de_demo_s_importe_proprement(dep, demo_octets):
    rapport = _importer(demo_octets, dep)
    assert rapport.ecrit and not rapport.partiel
    assert rapport.nb_rejets == 0 and rapport.avertissements == []
    assert rapport.services["crees"] >= 200
    assert ServiceRessource.objects.filter(departement=dep).count() == rapport.services["crees"]
    assert StructureRessource.objects.filter(departement=dep).count() == rapport.structures["crees"]
    thematiques = {
        t for ts in ServiceRessource.objects.values_list("thematiques", flat=True) for t in ts
    }
    assert {di.categorie_de(t) for t in thematiques} == set(di.CATEGORIES)
    assert thematiques == set(di.THEMATIQUES)  # toutes les thématiques v1
    # Colonnes dérivées calculées, nom de la structure compris dans la recherche.
    ccas = ServiceRessource.objects.get(
        identifiant="dora--ccas-de-besancon--aide-financiere-ponctuelle"
    )
    assert ccas.domaines == ["finances"]
    assert "ccas de besancon" in ccas.texte_recherche
    assert ccas.texte_nom == "aide financiere ponctuelle"
    domaines = {d for ds in ServiceRessource.objects.values_list("domaines", flat=True) for d in ds}
    assert domaines == set(DOMAINE_PAR_CATEGORIE_V1.values())
    assert ServiceRessource.objects.a_verifier().exists()
    trace = EvenementAudit.objects.get(details__objet_type="import_ressources")
    assert trace.departement == dep and trace.details["services"]["crees"] >= 200


def test_un_second_import_ne_change_rien(dep, demo_octets):
    _importer(demo_octets, dep)
    avant = dict(ServiceRessource.objects.values_list("identifiant", "modifie_le"))
    with CaptureQueriesContext(connection) as requetes:
        rapport = _importer(demo_octets, dep)
    assert rapport.nb_ecritures == 0
    assert rapport.services["inchanges"] == len(avant)
    assert rapport.structures["crees"] == rapport.structures["mis_a_jour"] == 0
    ecritures = [
        q["sql"]
        for q in requetes.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and "accompagnement_evenementaudit" not in q["sql"]
    ]
    assert ecritures == []
    assert dict(ServiceRessource.objects.values_list("identifiant", "modifie_le")) == avant


def test_l_analyse_tient_en_deux_requetes(dep, demo_octets, django_assert_num_queries):
    lot = lire(demo_octets, "demo.json")
    with django_assert_num_queries(2):
        analyse = analyser(lot, departement=dep)
    appliquer(analyse, par=None)
    with django_assert_num_queries(2):  # existants chargés en une requête par modèle
        analyser(lire(demo_octets, "demo.json"), departement=dep)


def test_les_ressources_sont_propres_a_chaque_departement(dep, demo_octets):
    autre = DepartementFactory(code_insee="39", nom="Jura")
    _importer(demo_octets, dep)
    rapport = _importer(demo_octets, autre)
    assert rapport.services["crees"] == ServiceRessource.objects.filter(departement=dep).count()


# --- Mises à jour -----------------------------------------------------------------------------


def test_un_service_modifie_est_mis_a_jour_et_lui_seul(dep):
    _importer(octets([structure()], [service(1), service(2)]), dep)
    ancien = ServiceRessource.objects.get(identifiant="dora--sv1")
    modifie = service(1, nom="Logement des jeunes actifs", publics=["jeunes"])
    rapport = _importer(octets([structure()], [modifie, service(2)]), dep)
    assert rapport.services == {"crees": 0, "mis_a_jour": 1, "inchanges": 1, "rejetes": 0}
    nouveau = ServiceRessource.objects.get(identifiant="dora--sv1")
    assert nouveau.pk == ancien.pk and nouveau.uuid == ancien.uuid
    assert nouveau.nom == "Logement des jeunes actifs" and nouveau.publics == ["jeunes"]
    assert nouveau.texte_nom == "logement des jeunes actifs"
    assert nouveau.modifie_le > ancien.modifie_le


def test_renommer_une_structure_recalcule_la_recherche_de_tous_ses_services(dep):
    _importer(octets([structure()], [service(1), service(2)]), dep)
    # Second fichier : la structure renommée, un seul de ses services.
    rapport = _importer(octets([structure(nom="Maison des habitants")], [service(1)]), dep)
    assert rapport.structures["mis_a_jour"] == 1
    assert rapport.services["mis_a_jour"] == 1  # ses colonnes dérivées ont changé
    for service_ in ServiceRessource.objects.all():
        assert "maison des habitants" in service_.texte_recherche


def test_un_service_change_de_structure(dep):
    _importer(octets([structure(1), structure(2)], [service(1, structure_id="dora--s1")]), dep)
    rapport = _importer(octets([], [service(1, structure_id="dora--s2")]), dep)
    assert rapport.services["mis_a_jour"] == 1
    assert ServiceRessource.objects.get().structure.identifiant == "dora--s2"


def test_un_fichier_de_services_seuls_rattache_aux_structures_de_la_base(dep):
    _importer(octets([structure()]), dep)
    rapport = _importer(octets([], [service(1)]), dep)
    assert rapport.services["crees"] == 1
    assert "centre social n 1" in ServiceRessource.objects.get().texte_recherche


# --- Lignes invalides -------------------------------------------------------------------------

INVALIDE = service(
    3,
    thematiques=["logement-hebergement--louer-un-logement", "gestion-du-temps"],
    date_maj="2999-01-01",
    courriel="pas-un-courriel",
    zone_eligibilite=["25056", "abc$"],
)


def test_une_ligne_invalide_et_rien_n_est_ecrit(dep):
    contenu = octets([structure()], [service(1), service(2), INVALIDE])
    rapport = _importer(contenu, dep)
    assert not rapport.ecrit
    assert StructureRessource.objects.count() == ServiceRessource.objects.count() == 0
    assert not EvenementAudit.objects.filter(details__objet_type="import_ressources").exists()
    assert rapport.services == {"crees": 2, "mis_a_jour": 0, "inchanges": 0, "rejetes": 1}
    (rejet,) = rapport.rejets
    assert (rejet.position, rejet.identifiant) == ("service n°3", "dora--sv3")
    raisons = " ".join(rejet.raisons)
    assert "thématiques (valeur n°2) : valeur inconnue « gestion-du-temps »" in raisons
    assert "ne peut pas être dans le futur" in raisons
    assert "courriel : adresse de courriel invalide « pas-un-courriel »" in raisons
    assert "zone d'éligibilité (valeur n°2) : code « abc$ » invalide" in raisons
    assert "Input should" not in raisons  # rien en anglais


def test_avec_l_import_partiel_les_lignes_valides_sont_ecrites(dep):
    contenu = octets([structure()], [service(1), INVALIDE, service(2)])
    rapport = _importer(contenu, dep, accepter_partiel=True)
    assert rapport.ecrit and rapport.partiel
    assert set(ServiceRessource.objects.values_list("identifiant", flat=True)) == {
        "dora--sv1",
        "dora--sv2",
    }
    assert [r.identifiant for r in rapport.rejets] == ["dora--sv3"]
    trace = EvenementAudit.objects.get(details__objet_type="import_ressources")
    assert trace.details["partiel"] is True


@pytest.mark.parametrize(
    ("champ", "valeur", "attendu"),
    [
        ("description", None, "description : obligatoire, absent."),
        ("nom", "ab", "nom : trop court (« ab » : 3 caractères au moins)."),
        ("date_maj", "22/11/2025", "date de mise à jour (date_maj) : date invalide « 22/11/2025 »"),
        ("code_postal", "2500", "code postal : trop court"),
        ("lien_mobilisation", "ftp://x", "lien de mobilisation : adresse web invalide"),
        ("publics", ["tous-publics", "jeunes"], "publics : `tous-publics` ne peut pas"),
        ("telephone", "0" * 40, "téléphone : trop long (40 caractères, 30 au plus)."),
        ("latitude", "nord", "latitude : nombre attendu, reçu « nord »."),
        ("modes_accueil", ["sur-la-lune"], "modes d'accueil (valeur n°1) : valeur inconnue"),
    ],
)
def test_chaque_erreur_est_expliquee_en_francais(dep, champ, valeur, attendu):
    donnees = service(1)
    if valeur is None:
        del donnees[champ]
    else:
        donnees[champ] = valeur
    rapport = _importer(octets([structure()], [donnees]), dep)
    (rejet,) = rapport.rejets
    assert any(raison.startswith(attendu) for raison in rejet.raisons), rejet.raisons


def test_un_service_sans_structure_est_rejete(dep):
    rapport = _importer(octets([], [service(1, structure_id="dora--inconnue")]), dep)
    assert not rapport.ecrit and ServiceRessource.objects.count() == 0
    assert rapport.rejets[0].raisons == [
        "Structure « dora--inconnue » (source « dora ») absente du fichier et de la base du "
        "département."
    ]


def test_les_services_d_une_structure_rejetee_sont_rejetes(dep):
    contenu = octets(
        [structure(1, siret="123"), structure(2)],
        [service(1), service(2, structure_id="dora--s2")],
    )
    rapport = _importer(contenu, dep, accepter_partiel=True)
    positions = {r.position: r.raisons for r in rapport.rejets}
    assert positions["structure n°1"] == ["SIRET : trop court (« 123 » : 14 caractères au moins)."]
    assert positions["service n°1"] == ["Sa structure « dora--s1 » est rejetée (structure n°1)."]
    assert ServiceRessource.objects.get().identifiant == "dora--sv2"


def test_un_doublon_dans_le_fichier_est_rejete(dep):
    rapport = _importer(octets([structure()], [service(1), service(1)]), dep)
    assert rapport.rejets[0].position == "service n°2"
    assert "Doublon" in rapport.rejets[0].raisons[0]


def test_un_element_qui_n_est_pas_un_objet_est_rejete(dep):
    contenu = json.dumps([structure(), "bonjour", service(1)]).encode()
    rapport = _importer(contenu, dep, accepter_partiel=True)
    assert rapport.rejets[0].position == "élément n°2"
    assert "n'est pas un objet JSON" in rapport.rejets[0].raisons[0]
    assert ServiceRessource.objects.count() == 1


# --- Anciennes thématiques v0 -----------------------------------------------------------------


def test_les_thematiques_v0_sont_converties_en_v1(dep):
    v0 = service(
        1,
        thematiques=[
            "gestion-financiere",
            "handicap--faire-reconnaitre-un-handicap",
            "acces-aux-droits-et-citoyennete--developpement-durable",
            "se-deplacer",
            "mobilite--entretenir-reparer-son-vehicule",
            "famille--garde-denfants",
        ],
        frais=["gratuit-sous-conditions"],
        presentation_resume="Ancien résumé du service, format v0.",
    )
    del v0["description"]
    rapport = _importer(octets([structure()], [v0]), dep)
    assert rapport.nb_rejets == 0, rapport.rejets
    importe = ServiceRessource.objects.get()
    assert importe.thematiques == sorted(
        [
            "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
            "sante--constituer-un-dossier-mdph-invalidite",
            "mobilite--etre-accompagne-dans-son-parcours-mobilite",
            "mobilite--entretenir-reparer-son-vehicule",
            "famille--garde-denfants",
        ]
    )
    assert importe.domaines == ["famille", "finances", "mobilite", "sante"]
    assert importe.frais == ["gratuit"]
    assert importe.description == "Ancien résumé du service, format v0."
    avertissements = " ".join(rapport.avertissements)
    assert (
        "Thématique v0 « gestion-financiere » → « difficultes-financieres--ameliorer-sa-gestion-"
        "budgetaire » (1 service)." in avertissements
    )
    assert "« acces-aux-droits-et-citoyennete--developpement-durable » → retirée" in avertissements


def test_la_table_v0_vers_v1_ne_designe_que_des_thematiques_v1():
    cibles = {c for c in di.THEMATIQUES_V0_VERS_V1.values() if c is not None}
    assert cibles <= set(di.THEMATIQUES)
    for ancienne in ("gestion-financiere", "handicap", "acces-aux-droits-et-citoyennete"):
        assert ancienne in di.THEMATIQUES_V0_VERS_V1
    # Les catégories v1 seules sont comprises aussi.
    assert set(di.CATEGORIES) <= set(di.THEMATIQUES_V0_VERS_V1)


# --- Fichiers cassés ou hostiles --------------------------------------------------------------


@pytest.fixture
def base_existante(dep):
    return ServiceRessourceFactory(structure__departement=dep, identifiant="dora--existant")


def _refuse(contenu: bytes, dep, nom="ressources.json") -> str:
    """Le fichier est refusé en bloc, avec un message ; la base n'a pas bougé."""
    avant = list(ServiceRessource.objects.values_list("pk", "modifie_le"))
    with pytest.raises(ErreurFichier) as erreur:
        importer(contenu, nom, departement=dep, par=None)
    assert list(ServiceRessource.objects.values_list("pk", "modifie_le")) == avant
    return erreur.value.message


def test_un_fichier_windows_1252_est_lu_accents_intacts(dep):
    texte = octets([structure(nom="Café des possibles", commune="Besançon")]).decode()
    rapport = importer(texte.encode("cp1252"), "ressources.json", departement=dep, par=None)
    assert rapport.structures["crees"] == 1
    cree = StructureRessource.objects.get(identifiant="dora--s1")
    assert (cree.nom, cree.commune) == ("Café des possibles", "Besançon")


def test_un_fichier_utf8_abime_est_refuse(dep, base_existante):
    contenu = octets([structure(nom="Café des possibles")]).replace("é".encode(), b"\xe9", 1)
    message = _refuse(contenu, dep)
    assert message.startswith(
        "Le fichier n'est pas encodé en UTF-8 (caractère illisible à la ligne 1)"
    )


def test_un_fichier_utf16_est_refuse(dep, base_existante):
    message = _refuse(octets([structure()]).decode().encode("utf-16"), dep)
    assert "UTF-16" in message


def test_un_json_invalide_est_refuse_avec_sa_position(dep, base_existante):
    contenu = octets([structure()], [service(1)])[:-40]  # fichier tronqué
    message = _refuse(contenu, dep)
    assert message.startswith("JSON invalide à la ligne 1, colonne")
    assert "tronqué" in message


def test_un_json_tres_imbrique_est_refuse(dep, base_existante):
    assert "imbrication trop profonde" in _refuse(b"[" * 200_000 + b"]" * 200_000, dep)


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"", "Le fichier est vide."),
        (b"42", "ni liste ni objet"),
        (b'{"donnees": []}', "Objet JSON non reconnu"),
        (b'{"structures": [], "services": []}', "aucune structure ni aucun service"),
        (b'{"services": "tout"}', "« services » doit être une liste d'objets."),
    ],
)
def test_un_json_sans_ressources_est_refuse(dep, base_existante, contenu, attendu):
    assert attendu in _refuse(contenu, dep)


def test_cinquante_mo_de_n_importe_quoi_sont_refuses(dep, base_existante):
    hasard = random.Random(7).randbytes(50 * 1024 * 1024)
    assert "n'est pas un fichier texte (contenu binaire)" in _refuse(hasard, dep, "x.json")
    sans_zero = hasard.replace(b"\x00", b"a")
    assert "n'est pas encodé en UTF-8" in _refuse(sans_zero, dep, "ressources.csv")
    texte = b"lorem ipsum " * (50 * 1024 * 1024 // 12)  # une seule ligne géante
    assert "ni un JSON ni un CSV" in _refuse(texte, dep, "ressources.csv")


def test_un_fichier_trop_gros_est_refuse_sans_tout_lire(dep):
    class Flux(io.RawIOBase):
        lu = 0

        def read(self, taille=-1):
            self.lu += taille
            return b" " * taille

    flux = Flux()
    with pytest.raises(ErreurFichier, match="60 Mo au plus"):
        lire_flux(flux, "enorme.json")
    assert flux.lu <= TAILLE_MAX + 1024 * 1024
    with pytest.raises(ErreurFichier, match="60 Mo au plus"):
        lire_flux(io.BytesIO(b""), "enorme.json", taille=TAILLE_MAX + 1)


def test_les_champs_inconnus_sont_ignores_avec_un_avertissement(dep):
    contenu = octets(
        [structure(labels_nationaux=["x"], couleur="bleu")],
        [service(1, couleur="rouge", profils=["jeunes"]), service(2, couleur="vert")],
    )
    rapport = _importer(contenu, dep)
    assert rapport.ecrit and rapport.nb_rejets == 0
    assert rapport.avertissements == [
        "Champ inconnu « couleur » ignoré (2 services).",
        "Champ inconnu « profils » ignoré (1 service).",
        "Champ inconnu « couleur » ignoré (1 structure).",
        "Champ inconnu « labels_nationaux » ignoré (1 structure).",
    ]
    assert ServiceRessource.objects.count() == 2


# --- CSV --------------------------------------------------------------------------------------

ENTETES_SERVICES = "source;structure_id;id;nom;description;date_maj;thematiques;publics;zone_eligibilite;modes_accueil"


def _csv(entetes: str, *lignes: str, encodage="utf-8") -> bytes:
    return "\n".join([entetes, *lignes]).encode(encodage)


def test_import_csv_de_structures_puis_de_services(dep):
    structures = _csv(
        "source,id,nom,date_maj,code_postal,commune,reseaux_porteurs",
        f'dora,dora--s1,CCAS d\'Ornans,{HIER},25290,Ornans,"ccas-cias|communes"',
    )
    rapport = importer(structures, "structures.csv", departement=dep, par=None)
    assert rapport.structures["crees"] == 1
    assert StructureRessource.objects.get().reseaux_porteurs == ["ccas-cias", "communes"]
    services = _csv(
        ENTETES_SERVICES,
        f"dora;dora--s1;dora--sv1;Épicerie sociale;Produits à petit prix.;{HIER};"
        "equipement-et-alimentation--alimentation|gestion-financiere;jeunes, familles;25434;"
        "en-presentiel",
        f"dora;dora--s1;dora--sv2;Permanence logement;Conseils sur le bail.;{HIER};"
        '["logement-hebergement--louer-un-logement"];;25;a-distance|en-presentiel',
    )
    rapport = importer(services, "services.csv", departement=dep, par=None)
    assert rapport.services["crees"] == 2 and rapport.nb_rejets == 0
    epicerie = ServiceRessource.objects.get(identifiant="dora--sv1")
    assert epicerie.thematiques == [
        "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
        "equipement-et-alimentation--alimentation",
    ]
    assert epicerie.publics == ["familles", "jeunes"]
    assert epicerie.zone_eligibilite == ["25434"]
    permanence = ServiceRessource.objects.get(identifiant="dora--sv2")
    assert permanence.modes_accueil == ["a-distance", "en-presentiel"]
    assert permanence.publics == []
    # Idempotent en CSV aussi.
    assert importer(services, "services.csv", departement=dep, par=None).nb_ecritures == 0


def test_un_csv_ligne_invalide_est_rapporte_avec_son_numero_de_ligne(dep):
    importer(octets([structure()]), "s.json", departement=dep, par=None)
    services = _csv(
        ENTETES_SERVICES,
        f"dora;dora--s1;dora--sv1;Épicerie;Produits à petit prix.;{HIER};;;25;",
        "dora;dora--s1;dora--sv2;Permanence;Conseils.;hier;;;25;",
    )
    rapport = importer(services, "services.csv", departement=dep, par=None)
    assert not rapport.ecrit
    assert rapport.rejets[0].position == "ligne 3"
    assert rapport.rejets[0].raisons == [
        "date de mise à jour (date_maj) : date invalide « hier » (attendu AAAA-MM-JJ)."
    ]


def test_un_csv_sans_colonnes_data_inclusion_est_refuse(dep):
    message = _refuse(_csv("Nom;Prénom;Date de naissance", "Martin;Paul;01/01/1980"), dep, "x.csv")
    assert "n'est pas un export data·inclusion" in message
    assert "« nom », « prénom », « date de naissance »" in message


def test_un_csv_windows_1252_est_lu_un_csv_abime_refuse(dep):
    structures = _csv("source;id;nom;date_maj", f"dora;dora--s1;Cœur à cœur;{HIER}")
    importer(structures.decode().encode("cp1252"), "s.csv", departement=dep, par=None)
    assert StructureRessource.objects.get().nom == "Cœur à cœur"
    # UTF-8 (« à » bien formé) sauf un octet : refusé, pas lu comme du Windows-1252.
    ligne = "dora;dora--s1;dora--sv1;Épicerie;Produits à petit prix;2025-01-01;;;;"
    contenu = _csv(ENTETES_SERVICES, ligne).replace("É".encode(), b"\xc9")
    assert "ligne 2" in _refuse(contenu, dep, "services.csv")


def test_action_des_lignes(dep):
    _importer(octets([structure()], [service(1)]), dep)
    analyse = analyser(
        lire(octets([structure()], [service(1, nom="Nouveau nom"), service(2)]), "x.json"),
        departement=dep,
    )
    actions = {ligne.identifiant: ligne.action for ligne in analyse.lignes}
    assert actions == {
        "dora--s1": Action.INCHANGE,
        "dora--sv1": Action.MISE_A_JOUR,
        "dora--sv2": Action.CREATION,
    }
