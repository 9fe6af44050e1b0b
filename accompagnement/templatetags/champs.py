"""Rendu rapide d'un champ de formulaire, au balisage de `as_crispy_field` (Bootstrap 5) :
les formulaires de filtres des grandes listes (portefeuilles, dossiers du département,
charges) sont rendus à chaque page et à chaque changement de filtre.

`as_crispy_field` passe par une dizaine de gabarits par champ, et le `<select>` de Django
par deux gabarits par option (`select_option.html`, `attrs.html`) : de l'ordre de 100 ms
pour les treize champs des filtres des dossiers, davantage que tout le tableau (décision
91). Ici, un champ ordinaire (zone de texte, date, nombre, case à cocher, liste de choix)
est assemblé en Python ; les listes de choix sans passer par les gabarits des options.
Tout autre champ (boutons radio, fichier, widget composé, caché) est confié à
`as_crispy_field`, tel quel."""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join, mark_safe

register = template.Library()


def _ajouter_classes(widget: forms.Widget, classes: str) -> None:
    """Comme `crispy_field` : le nom du widget en minuscules, puis les classes Bootstrap."""
    actuelles = widget.attrs.get("class", "")
    nom = widget.__class__.__name__.lower()
    if not actuelles:
        actuelles = nom
    elif nom not in actuelles:
        actuelles = f"{actuelles} {nom}"
    for classe in classes.split():
        if classe not in actuelles.split():
            actuelles = f"{actuelles} {classe}"
    widget.attrs["class"] = actuelles


def _attributs(attrs: dict) -> str:
    """Les attributs dans l'ordre du widget, comme `django/forms/widgets/attrs.html`."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", nom) if valeur is True else format_html(' {}="{}"', nom, valeur),)
            for nom, valeur in attrs.items()
            if valeur is not False and valeur is not None
        ),
    )


def _liste_de_choix(champ: forms.BoundField) -> str:
    """Le `<select>` de `Select.render`, sans un gabarit par option."""
    widget = champ.field.widget
    attrs = champ.build_widget_attrs({}, widget)
    if champ.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", champ.auto_id)
    contexte = widget.get_context(champ.html_name, champ.value(), attrs)["widget"]
    morceaux = []
    for groupe, options, _index in contexte["optgroups"]:
        lignes = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(o["value"]), _attributs(o["attrs"]), o["label"]) for o in options),
        )
        morceaux.append(
            format_html('<optgroup label="{}">{}</optgroup>', groupe, lignes) if groupe else lignes
        )
    return format_html(
        '<select name="{}"{}>{}</select>',
        contexte["name"],
        _attributs(contexte["attrs"]),
        mark_safe("".join(morceaux)),  # noqa: S308 — morceaux produits par format_html
    )


def _erreurs_et_aide(champ: forms.BoundField) -> str:
    erreurs = ""
    if champ.errors:
        erreurs = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            champ.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((rang, champ.auto_id, erreur) for rang, erreur in enumerate(champ.errors, 1)),
            ),
        )
    aide = ""
    if champ.help_text:
        aide = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            champ.auto_id,
            mark_safe(champ.help_text),  # noqa: S308 — comme `help_text|safe` de crispy
        )
    return format_html("{}{}", erreurs, aide)


def _libelle(champ: forms.BoundField, classe: str) -> str:
    obligatoire = champ.field.required
    return format_html(
        '<label for="{}" class="{}{}">{}{}</label>',
        champ.id_for_label,
        classe,
        " requiredField" if obligatoire else "",
        champ.label,
        mark_safe('<span class="asteriskField">*</span>') if obligatoire else "",
    )


@register.filter
def champ_filtre(champ: forms.BoundField) -> str:
    """`{{ form.champ|champ_filtre }}` : le balisage de `{{ form.champ|as_crispy_field }}`."""
    widget = champ.field.widget
    invalide = " is-invalid" if champ.errors else ""
    suffixe = f" {champ.css_classes()}" if champ.css_classes() else ""
    if (
        champ.is_hidden
        or widget.use_fieldset
        or isinstance(widget, (forms.MultiWidget, forms.FileInput, forms.RadioSelect))
        or not champ.label
    ):
        return as_crispy_field(champ)
    if isinstance(widget, forms.CheckboxInput):
        _ajouter_classes(widget, f"form-check-input{invalide}")
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}{}{}</div></div>',
            champ.auto_id,
            suffixe,
            champ.as_widget(),
            _libelle(champ, "form-check-label"),
            _erreurs_et_aide(champ),
        )
    if isinstance(widget, forms.Select):
        _ajouter_classes(widget, f"form-select{invalide}")
        rendu = _liste_de_choix(champ)
    else:
        _ajouter_classes(widget, f"form-control{invalide}")
        rendu = champ.as_widget()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        champ.auto_id,
        suffixe,
        _libelle(champ, "form-label"),
        rendu,
        _erreurs_et_aide(champ),
    )
