"""Sélecteur de professionnels à recherche (ticket #14) : au lieu d'un `<select>` de
toutes les personnes du département (1 100 options rendues à chaque page), un champ de
recherche qui rafraîchit par htmx une courte liste de boutons radio natifs — la forme du
sélecteur « Ressource mobilisée » (décision 42). Sans JavaScript, le champ de recherche
part avec le formulaire et la page revient avec les personnes trouvées.

Le widget ne lit jamais toutes les options : il filtre le queryset de son champ
(`ModelChoiceField`, déjà restreint au département et aux rôles admis), qui reste la
validation côté serveur. Les valeurs sont les `uuid` des rattachements : deux homonymes
se distinguent par leur structure, affichée dans le libellé."""

from __future__ import annotations

import re
import uuid as uuid_module
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Membership, Role

# Personnes proposées par recherche : au-delà, « précisez la recherche ».
LIMITE = 10
NOM_DE_CHAMP = re.compile(r"^[a-z][a-z0-9_-]{0,60}$")


def professionnels_actifs(departement, roles=None) -> QuerySet[Membership]:
    """Rattachements actifs du département (tous rôles, ou ceux donnés), triés par nom."""
    if departement is None:
        return Membership.objects.none()
    qs = (
        Membership.objects.actifs()
        .filter(structure__departement=departement)
        .select_related("user", "structure")
    )
    if roles:
        qs = qs.filter(role__in=list(roles))
    return qs.order_by("user__nom", "user__prenom", "structure__nom", "pk")


def chercher(queryset: QuerySet[Membership], texte: str) -> QuerySet[Membership]:
    """Chaque mot doit se trouver dans le nom, le prénom ou la structure (« julien
    marchand », « marchand besançon »)."""
    for mot in texte.split()[:5]:
        queryset = queryset.filter(
            Q(user__nom__icontains=mot)
            | Q(user__prenom__icontains=mot)
            | Q(structure__nom__icontains=mot)
        )
    return queryset


def avec_charge(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Les places ouvertes que chacun tient au titre de cette structure (la définition de
    la page « Charges », par la relation inverse `affectations`, sans importer
    `dossiers`) : l'animatrice équilibre les portefeuilles en affectant."""
    ouvertes = Q(user__affectations__date_fin__isnull=True) & Q(
        user__affectations__structure=F("structure")
    )
    return queryset.annotate(charge=Count("user__affectations", filter=ouvertes))


def libelle(m: Membership) -> str:
    texte = f"{m.user.get_full_name()} — {m.get_role_display()}, {m.structure.nom}"
    charge = getattr(m, "charge", None)
    if charge is None:
        return texte
    if charge == 0:
        return f"{texte} — aucun dossier en cours"
    return f"{texte} — {charge} dossier{'s' if charge > 1 else ''} en cours"


def proposer(queryset: QuerySet[Membership], *, texte: str, choisi: str) -> dict:
    """Le choix en cours (s'il est dans le périmètre) et au plus LIMITE personnes trouvées :
    deux requêtes, quelle que soit la taille du département."""
    retenu = None
    if choisi:
        try:
            retenu = queryset.filter(uuid=uuid_module.UUID(choisi)).first()
        except ValueError:
            retenu = None
    texte = texte.strip()[:100]
    trouves = list(chercher(queryset, texte)[: LIMITE + 1])
    plus = len(trouves) > LIMITE
    resultats = [m for m in trouves[:LIMITE] if retenu is None or m.pk != retenu.pk]
    for m in [retenu, *resultats]:
        if m is not None:
            m.libelle = libelle(m)
    return {"texte": texte, "retenu": retenu, "resultats": resultats, "plus": plus}


def roles_valides(valeurs) -> list[str]:
    return [r for r in valeurs if r in Role.values]


class ChoixProfessionnel(forms.Widget):
    """Widget d'un `ModelChoiceField` de rattachements (`to_field_name="uuid"`). `roles` :
    ceux que le queryset du champ admet (repris par la recherche htmx) ; `vide` : le libellé
    du choix « personne » (aucun si le champ est obligatoire)."""

    def __init__(self, *, roles=(), vide: str | None = None, charge: bool = False):
        super().__init__()
        self.roles = [str(r) for r in roles]
        self.vide = vide
        self.charge = charge
        self.texte = ""

    def value_from_datadict(self, data, files, name):
        self.texte = str(data.get(f"{name}_q", ""))
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            queryset = Membership.objects.none()
        choisi = str(value) if value else ""
        contexte = proposer(queryset, texte=self.texte, choisi=choisi)
        identifiant = (attrs or {}).get("id") or f"id_{name}"
        contexte |= contexte_du_selecteur(
            name=name, identifiant=identifiant, roles=self.roles, vide=self.vide, charge=self.charge
        )
        return render_to_string("components/_choix_professionnel.html", contexte)


def contexte_du_selecteur(*, name, identifiant, roles, vide, charge) -> dict:
    parametres = {"name": name, "id": identifiant, "roles": ",".join(roles)}
    if vide is not None:
        parametres["vide"] = vide
    if charge:
        parametres["charge"] = "1"
    url = f"{reverse('recherche_professionnels')}?{urlencode(parametres)}"
    return {"name": name, "id": identifiant, "vide": vide, "url": url}
