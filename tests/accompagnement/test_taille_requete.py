"""Taille des requêtes limitée AVANT la lecture du corps (TailleRequeteMiddleware) : 413
et page française ; le corps n'est jamais lu. Régression du ticket 11 : la taille d'un
dépôt n'était vérifiée qu'après lecture de tout le corps."""

import io

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MO = 1024 * 1024


class CorpsPiege(io.RawIOBase):
    """Un corps qui échoue s'il est lu : la limite doit tomber avant."""

    lu = False

    def read(self, *args):
        self.lu = True
        raise AssertionError("le corps de la requête a été lu")

    readline = read


def envoyer(client, url, taille):
    corps = CorpsPiege()
    reponse = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(taille),
        **{"wsgi.input": corps},
    )
    return reponse, corps


@pytest.mark.parametrize(
    "url",
    ["/connexion/", "/dossiers/00000000-0000-0000-0000-000000000000/documents/deposer/", "/x/"],
)
def test_un_corps_annonce_trop_gros_est_refuse_avant_d_etre_lu(client, url):
    reponse, corps = envoyer(client, url, 50 * MO)
    assert reponse.status_code == 413
    contenu = reponse.content.decode()
    assert "Fichier trop volumineux" in contenu and "50,0 Mo" in contenu
    assert '<html lang="fr">' in contenu
    assert not corps.lu


def test_la_limite_de_l_import_des_ressources_est_plus_haute(client):
    url = reverse("conventions:import")
    reponse, corps = envoyer(client, url, 70 * MO)
    assert reponse.status_code == 413 and not corps.lu
    # 30 Mo passent la limite de cette route : la requête suit son cours (connexion exigée).
    reponse = client.post(url, {"x": "y"}, CONTENT_LENGTH=str(30 * MO))
    assert reponse.status_code != 413


def test_un_corps_ordinaire_passe(client):
    reponse = client.post("/connexion/", {"username": "a@b.fr", "password": "x"})
    assert reponse.status_code in {200, 302}


def test_reglages_des_depots():
    assert settings.TAILLE_REQUETE_MAX == 11 * MO
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 10
    assert settings.MIDDLEWARE.index(
        "accompagnement.middleware.TailleRequeteMiddleware"
    ) < settings.MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware")
