"""Page « Aujourd'hui » (l'accueil de chaque rôle) et listes complètes des files de
travail. Lectures seules, par reporting/files.py ; un nombre de requêtes constant."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accompagnement import views as accompagnement_views
from accompagnement.decorators import membership_requis
from accompagnement.pagination_bornee import PaginateurBorne
from accompagnement.texte import normaliser
from reporting import files, perms

PAR_PAGE = 25
APERCU = 5


@membership_requis
def accueil(request):
    m = request.membership
    if not perms.peut_voir_aujourdhui(m):
        # L'administrateur garde l'accueil de configuration (structures et effectifs).
        return accompagnement_views.accueil(request)
    contexte = {
        "files": files.aujourdhui(m, limite=APERCU),
        "aujourdhui": timezone.localdate(),
        "missions": f"reporting/aujourdhui/missions/{m.role}.html",
    }
    return render(request, "reporting/aujourdhui/accueil.html", contexte)


@membership_requis
def liste(request):
    m = request.membership
    if not perms.peut_voir_aujourdhui(m):
        raise PermissionDenied
    du_role = files.files_du_role(m)
    cle = request.GET.get("file") or du_role[0].cle
    if cle not in files.FILES:
        raise Http404
    if not perms.peut_voir_file(m, cle):
        raise PermissionDenied
    file = files.FILES[cle]
    qs = file.requete(m)
    recherche = request.GET.get("q", "").strip()[:100]
    for mot in normaliser(recherche).split()[:5]:
        qs = qs.filter(**{f"{file.recherche}__contains": mot})
    # Bornée comme son compteur (« plus de 1 000 ») : compter 10 001 actions en retard à
    # chaque page coûtait plus que tout le reste (décision 95).
    paginateur = PaginateurBorne(
        qs, PAR_PAGE, plafond=files.PLAFOND_COMPTEUR, compte_trie=file.compte_trie
    )
    page = paginateur.get_page(request.GET.get("page"))
    lignes = [file.ligne(m, objet) for objet in page]

    # Les compteurs des onglets en une requête ; celui de la file affichée est le compte de
    # la pagination quand aucun filtre ne le restreint.
    reutilise = not recherche
    autres = [f for f in du_role if not (reutilise and f.cle == cle)]
    comptes = dict(
        zip(
            (f.cle for f in autres),
            files.compter_ensemble([(f.requete(m), f.compte_trie) for f in autres]),
            strict=True,
        )
    )
    if reutilise:
        comptes[cle] = paginateur.count
    onglets = [
        {"file": f, "compte": files.FileRemplie(f, comptes[f.cle], []), "active": f.cle == cle}
        for f in du_role
    ]
    return render(
        request,
        "reporting/aujourdhui/liste.html",
        {"file": file, "page": page, "lignes": lignes, "onglets": onglets, "recherche": recherche},
    )
