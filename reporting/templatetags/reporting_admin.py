"""Le tableau de bord de l'animatrice en tête de l'index de l'administration Django
(templates/admin/index.html) : elle travaille « par l'administration »."""

from django import template

from reporting import perms, tableau

register = template.Library()


@register.inclusion_tag("reporting/tableau/_admin.html", takes_context=True)
def tableau_admin(context):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if not perms.peut_voir_tableau_de_bord(membership):
        return {"visible": False}
    filtres = tableau.Filtres(mois=tableau.mois_par_defaut())
    chiffres = tableau.chiffres(request.departement, filtres, avec_graphiques=False)
    return {
        "visible": True,
        "filtres": filtres,
        "tuiles": tableau.tuiles(request.departement, filtres, chiffres),
        "rapport_fige": chiffres.rapport,
        "files": tableau.files_comptees(membership),
    }
