"""`SelectRapide` (filtre « Professionnel » du journal d'audit) rend le même `<select>` que
celui de Django : mêmes attributs, mêmes options, même option choisie, texte échappé."""

import pytest
from django import forms
from django.test.html import parse_html

from accompagnement.forms import FiltreAuditForm, SelectRapide
from accompagnement.models import User

CHOIX = [("", "Tous"), ("1", "Dupont <Jean> & Cie"), ("2", "Martin « l'ancien »")]


class Formulaire(forms.Form):
    django = forms.ChoiceField(choices=CHOIX, required=False)
    rapide = forms.ChoiceField(choices=CHOIX, required=False, widget=SelectRapide)


@pytest.mark.parametrize(
    "donnees", [None, {"django": "2", "rapide": "2"}, {"django": "", "rapide": ""}]
)
def test_meme_balisage_que_le_select_de_django(donnees):
    f = Formulaire(donnees)
    f.is_valid()
    attendu = str(f["django"]).replace('name="django" id="id_django"', 'name="x" id="id_x"')
    obtenu = str(f["rapide"]).replace('id="id_rapide" name="rapide"', 'name="x" id="id_x"')
    assert parse_html(obtenu) == parse_html(attendu)
    assert "&lt;Jean&gt; &amp; Cie" in obtenu


def test_le_filtre_du_journal_garde_le_compte_choisi(equipe):
    ts = equipe.ts.user
    form = FiltreAuditForm({"utilisateur": ts.pk}, departement=equipe.departement)
    assert form.is_valid() and form.cleaned_data["utilisateur"] == ts
    html = str(form["utilisateur"])
    assert f'<option value="{ts.pk}" selected>{ts.get_full_name()}</option>' in html
    comptes = User.objects.filter(memberships__structure__departement=equipe.departement)
    assert html.count("<option") == comptes.distinct().count() + 1  # et « Tous »
