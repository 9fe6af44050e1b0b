"""Le rendu rapide des champs de filtres (`champ_filtre`) donne le balisage de
`as_crispy_field` : mêmes éléments, mêmes attributs, mêmes erreurs et aides (espaces
mis à part), pour chaque sorte de champ des filtres des listes, valide ou en erreur."""

from __future__ import annotations

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms

from accompagnement.templatetags.champs import champ_filtre


class Formulaire(forms.Form):
    q = forms.CharField(
        label="Nom, prénom ou identifiant",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), ("a_orienter", "À orienter"), ("clos", "Clos")],
    )
    groupes = forms.ChoiceField(
        label="Avec groupes",
        required=False,
        choices=[
            ("", "Tous"),
            ("Axe 2", [("cd", "Conseiller dédié"), ("ts", "Travailleur social")]),
        ],
    )
    plusieurs = forms.MultipleChoiceField(
        label="Plusieurs", required=False, choices=[("a", "A & B"), ("c", "C <d>")]
    )
    du = forms.DateField(
        label="Orienté du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    jours = forms.IntegerField(
        label="Sans activité depuis (jours)", required=False, min_value=1, max_value=3650
    )
    binome = forms.BooleanField(label="Binôme incomplet seulement", required=False)
    obligatoire = forms.CharField(label="Obligatoire", help_text="Une <em>aide</em>.")
    radio = forms.ChoiceField(
        label="Boutons",
        required=False,
        choices=[("1", "Un"), ("2", "Deux")],
        widget=forms.RadioSelect,
    )


def _normaliser(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


CAS = [
    {},
    {"q": "Dupont", "statut": "clos", "groupes": "ts", "plusieurs": ["a", "c"], "du": "2026-01-02",
     "jours": "30", "binome": "on", "obligatoire": "x", "radio": "2"},
    {"statut": "zz", "groupes": "zz", "plusieurs": ["zz"], "du": "abc", "jours": "0", "q": "x" * 101},
]  # fmt: skip


@pytest.mark.parametrize("donnees", CAS, ids=["vide", "rempli", "erreurs"])
@pytest.mark.parametrize("nom", list(Formulaire.base_fields))
def test_meme_balisage_que_crispy(donnees, nom):
    attendu = Formulaire(donnees or None)
    obtenu = Formulaire(donnees or None)
    if donnees:
        attendu.is_valid()
        obtenu.is_valid()
    reference = _normaliser(as_crispy_field(attendu[nom]))
    rendu = _normaliser(champ_filtre(obtenu[nom]))
    assert rendu == reference
    assert "<option" in rendu or "<input" in rendu


def test_les_erreurs_sont_rendues_et_echappees():
    formulaire = Formulaire({"statut": "<script>", "obligatoire": ""})
    formulaire.is_valid()
    rendu = champ_filtre(formulaire["statut"])
    assert 'class="select form-select is-invalid"' in rendu
    assert 'aria-invalid="true"' in rendu
    assert '<div id="id_statut_error" class="invalid-feedback"><p id="error_1_id_statut">' in rendu
    assert "&lt;script&gt;" in rendu and "<script>" not in rendu
    assert 'class="form-label requiredField"' in champ_filtre(formulaire["obligatoire"])
