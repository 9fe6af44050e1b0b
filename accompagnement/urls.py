from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import ConnexionForm, ReinitialisationForm

admin.site.site_header = "Accompagnement global — administration"
admin.site.site_title = "Accompagnement global"
admin.site.index_title = "Configuration du département"

urlpatterns = [
    # Accueil « Aujourd'hui » (files de travail) : application reporting, incluse par son
    # nom (accompagnement n'importe pas reporting).
    path("", include("reporting.urls_accueil")),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=ConnexionForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "compte/mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "mot-de-passe-oublie/",
        auth_views.PasswordResetView.as_view(
            form_class=ReinitialisationForm,
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reinitialiser/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("structure/choisir/", views.choisir_structure, name="choisir_structure"),
    path("annuaire/", views.annuaire, name="annuaire"),
    path(
        "professionnels/recherche/",
        views.recherche_professionnels,
        name="recherche_professionnels",
    ),
    path("audit/", views.journal_audit, name="journal_audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lire/", views.notifications_tout_lire, name="notifications_tout_lire"),
    path("notifications/<uuid:uuid>/", views.notification_ouvrir, name="notification_ouvrir"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("dossiers/", include("dossiers.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("conventions/", include("conventions.urls")),
    path("reporting/", include("reporting.urls")),
    path("comites/", include("comites.urls")),
    # Protection des données (application rgpd, incluse par son nom).
    path("rgpd/", include("rgpd.urls")),
]
