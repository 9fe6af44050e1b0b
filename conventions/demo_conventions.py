"""Conventions de démonstration : le Doubs (29 janvier 2014) et l'Orne (7 juillet 2016),
d'après les communiqués de presse des deux départements (`/work/shared/seeds/`).
L'avenant du Doubs est fictif (les sources n'en décrivent aucun) et dit l'être ; les
sources ne donnent pas d'échéance, ni d'objectifs chiffrés : ils restent vides, sauf ce
que fixe l'avenant fictif. Idempotent : une convention déjà présente n'est pas retouchée."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accompagnement.models import Departement

from . import services
from .models import (
    AxeConvention,
    Convention,
    Engagement,
    Moyen,
    NatureMoyen,
    Partie,
    Signataire,
    TypePartie,
)

VU_COMMUNS = [
    "Vu le code de l'action sociale et des familles, notamment ses articles L. 262-1 et "
    "suivants relatifs au revenu de solidarité active",
    "Vu le code du travail, notamment son article L. 5312-1 relatif aux missions de Pôle emploi",
    "Vu la loi n° 2008-1249 du 1er décembre 2008 généralisant le revenu de solidarité active "
    "et réformant les politiques d'insertion",
]

DOUBS = {
    "intitule": "Convention pour l'approche globale de l'accompagnement des demandeurs "
    "d'emploi entre le Département du Doubs et Pôle emploi",
    "date_signature": dt.date(2014, 1, 29),
    "date_effet": dt.date(2014, 1, 29),
    "vu": VU_COMMUNS,
    "axes": [AxeConvention.AXE_1, AxeConvention.AXE_2, AxeConvention.AXE_3],
    "programmes": ["PDI", "PTI"],
    "parties": [
        (
            TypePartie.DEPARTEMENT,
            "Département du Doubs",
            "son Président",
            ("Claude Jeannerot", "Président du Département, sénateur du Doubs"),
            [
                "Désigner des correspondants insertion pour assurer les complémentarités "
                "emploi / social et l'articulation entre les deux institutions aux "
                "différents niveaux territoriaux.",
                "Mobiliser l'ensemble de ses services sociaux, polyvalents, chargés du "
                "logement, de l'enfance ou de l'autonomie pour l'accompagnement social des "
                "demandeurs d'emploi.",
                "Mobiliser des actions sociales et des moyens pour lever les freins "
                "périphériques à l'emploi, dans le cadre du PDI ou du PTI.",
            ],
        ),
        (
            TypePartie.FRANCE_TRAVAIL,
            "Pôle emploi",
            "son Directeur général",
            ("Jean Bassères", "Directeur général de Pôle emploi"),
            [
                "Assurer l'accompagnement sur le champ de l'emploi de tous les demandeurs "
                "d'emploi confrontés à des difficultés d'ordre social, selon son offre de "
                "service, sans contrepartie financière du Département.",
                "Positionner un conseiller dédié à l'accompagnement global dans chacune des "
                "8 agences du département.",
                "Confier à une animatrice fonctionnelle la coordination du dispositif avec "
                "les directions de l'action sociale territoriale et de l'insertion.",
            ],
        ),
    ],
    "moyens": [
        (
            NatureMoyen.POSTE,
            "Conseillers dédiés à l'accompagnement global",
            "Les 8 agences Pôle emploi du Doubs (un par agence)",
            8,
            "8.00",
            None,
            "Pôle emploi",
        ),
        (
            NatureMoyen.POSTE,
            "Animatrice fonctionnelle",
            "Direction territoriale Pôle emploi",
            1,
            "1.00",
            None,
            "Pôle emploi",
        ),
        (
            NatureMoyen.POSTE,
            "Correspondants insertion (assistants sociaux)",
            "Territoires d'action sociale du Département",
            8,
            "8.00",
            None,
            "Département",
        ),
    ],
}

ORNE = {
    "intitule": "Convention entre le Département de l'Orne et Pôle emploi pour "
    "l'accompagnement global des demandeurs d'emploi les plus fragiles",
    "date_signature": dt.date(2016, 7, 7),
    "date_effet": dt.date(2016, 7, 7),
    "vu": [
        *VU_COMMUNS,
        "Vu le protocole national entre Pôle emploi et l'Assemblée des Départements de France "
        "relatif à l'approche globale de l'accompagnement",
    ],
    "axes": [AxeConvention.AXE_1, AxeConvention.AXE_2, AxeConvention.AXE_3],
    "programmes": [],
    "parties": [
        (
            TypePartie.DEPARTEMENT,
            "Conseil départemental de l'Orne",
            "son Président",
            ("Alain Lambert", "Président du Conseil départemental de l'Orne"),
            [
                "Financer un conseiller emploi faisant le lien entre les référents RSA de "
                "Pôle emploi et le service de la Cohésion sociale.",
                "Accueillir les comités techniques des orientations professionnelles "
                "mensuels au siège du service de la Cohésion sociale, à Alençon.",
                "Ses travailleurs sociaux s'appuient sur l'expertise des conseillers de "
                "Pôle emploi pour les demandeurs d'emploi qu'ils accompagnent.",
            ],
        ),
        (
            TypePartie.FRANCE_TRAVAIL,
            "Pôle emploi Normandie",
            "sa Directrice régionale",
            ("Martine Chong-Wa Numeric", "Directrice régionale Pôle emploi Normandie"),
            [
                "Participation du conseiller emploi aux comités techniques des orientations "
                "professionnelles et partage sur les parcours des bénéficiaires du RSA.",
                "Appui et conseil sur la mise en œuvre des plans d'action pour les bénéficiaires.",
                "Suivi statistique des bénéficiaires du RSA et des actions associées.",
                "Mobiliser des crédits européens pour financer de nouveaux postes de "
                "référents professionnels.",
            ],
        ),
    ],
    "moyens": [
        (
            NatureMoyen.POSTE,
            "Conseiller emploi (lien référents RSA / Cohésion sociale)",
            "Pôle emploi Orne",
            1,
            "1.00",
            None,
            "Conseil départemental de l'Orne",
        ),
        (
            NatureMoyen.FINANCEMENT,
            "Financement du conseiller emploi",
            "",
            None,
            None,
            "56000.00",
            "Conseil départemental de l'Orne",
        ),
        (
            NatureMoyen.FINANCEMENT,
            "Nouveaux postes de référents professionnels",
            "",
            None,
            None,
            None,
            "Fonds social européen (FSE)",
        ),
    ],
}

AVENANT_DOUBS = {
    "numero": 1,
    "objet": "Objectifs chiffrés et échéance (avenant fictif, pour la démonstration)",
    "date_signature": dt.date(2014, 12, 15),
    "date_effet": dt.date(2015, 1, 1),
    "nouvelles_valeurs": {
        "date_echeance": dt.date(2017, 12, 31),
        "objectif_personnes_par_an": 400,
        "objectif_delai_entree_jours": 30,
    },
}


def _creer(departement, donnees) -> tuple[Convention, bool]:
    existante = Convention.objects.filter(
        departement=departement, intitule=donnees["intitule"]
    ).first()
    if existante is not None:
        return existante, False
    convention = Convention.objects.create(
        departement=departement,
        **{
            k: donnees[k]
            for k in ("intitule", "date_signature", "date_effet", "vu", "axes", "programmes")
        },
    )
    for ordre, (type_, nom, represente, (s_nom, s_qualite), engagements) in enumerate(
        donnees["parties"]
    ):
        partie = Partie.objects.create(
            convention=convention, type=type_, nom=nom, represente_par=represente, ordre=ordre
        )
        Signataire.objects.create(
            partie=partie, nom=s_nom, qualite=s_qualite, date_signature=donnees["date_signature"]
        )
        for rang, texte in enumerate(engagements):
            Engagement.objects.create(partie=partie, texte=texte, ordre=rang)
    for ordre, (nature, libelle, structure, nombre, etp, montant, financeur) in enumerate(
        donnees["moyens"]
    ):
        Moyen.objects.create(
            convention=convention,
            nature=nature,
            libelle=libelle,
            structure=structure,
            nombre=nombre,
            etp=None if etp is None else Decimal(etp),
            montant=None if montant is None else Decimal(montant),
            financeur=financeur,
            ordre=ordre,
        )
    services.signer_convention(convention=convention, par=None)
    services.mettre_en_vigueur(convention=convention, par=None)
    return convention, True


@transaction.atomic
def charger(*, departement) -> str:
    """Le Doubs dans le département de démonstration ; l'Orne dans un département « Orne
    (démonstration) » créé au besoin (sans structure ni compte)."""
    orne, _ = Departement.objects.get_or_create(
        code_insee="61", defaults={"nom": "Orne (démonstration)", "actif": True}
    )
    doubs, cree_doubs = _creer(departement, DOUBS)
    if cree_doubs:
        services.ajouter_avenant(convention=doubs, par=None, **AVENANT_DOUBS)
    _, cree_orne = _creer(orne, ORNE)
    creees = cree_doubs + cree_orne
    if not creees:
        return "2 conventions (déjà chargées)"
    return f"2 conventions ({creees} créées, dont le Doubs avec un avenant)"
