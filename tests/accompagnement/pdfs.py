"""Fabriques de PDF pour les tests : un vrai PDF (pypdf), et ses variantes hostiles
(JavaScript, action à l'ouverture, fichier joint, polyglotte HTML)."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _ecrire(writer: PdfWriter) -> bytes:
    tampon = io.BytesIO()
    writer.write(tampon)
    return tampon.getvalue()


def pdf_valide(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Attestation"})
    return _ecrire(writer)


def pdf_javascript() -> bytes:
    """Une action JavaScript dans l'arbre des noms du catalogue (/Names /JavaScript), lancée
    par le lecteur à l'ouverture."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
            }
        )
    )
    noms = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("accueil"), action])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(noms)}
    )
    return _ecrire(writer)


def pdf_action_a_l_ouverture() -> bytes:
    """/OpenAction qui ouvre une adresse (pas de JavaScript) : refusé quand même."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://attaquant.example/"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _ecrire(writer)


def pdf_actions_automatiques_de_page() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("calc.exe"),
                }
            )
        }
    )
    return _ecrire(writer)


def pdf_fichier_joint() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("facture.exe", b"MZ\x90\x00")
    return _ecrire(writer)


def pdf_nom_echappe() -> bytes:
    """/J#61vaScript : un nom PDF peut s'écrire en échappements ; l'analyseur les décode."""
    propre = pdf_javascript()
    assert b"/JavaScript" in propre and b"/JS " in propre
    return propre.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/#4AS ")


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def pdf_polyglotte_html_apres() -> bytes:
    return pdf_valide() + HTML + b"\n"


def pdf_polyglotte_html_dedans() -> bytes:
    """Le HTML dans un commentaire PDF, avant la fin : le PDF reste lisible par pypdf."""
    contenu = pdf_valide()
    entete, reste = contenu.split(b"\n", 1)
    return entete + b"\n%" + HTML + b"\n" + reste


def pdf_polyglotte_html_avant() -> bytes:
    return HTML + b"\n" + pdf_valide()


def pdf_rembourre(taille: int) -> bytes:
    """Un PDF valide d'exactement `taille` octets (un commentaire de remplissage)."""
    contenu = pdf_valide()
    entete, reste = contenu.split(b"\n", 1)
    remplissage = taille - len(contenu) - 2
    return entete + b"\n%" + b"0" * remplissage + b"\n" + reste
