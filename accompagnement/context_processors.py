from .navigation import menu, menu_compte


def navigation(request):
    user = getattr(request, "user", None)
    non_lues = 0
    if user is not None and user.is_authenticated:
        # Une requête COUNT par page, sur un index (destinataire, lue_le).
        non_lues = user.notifications.filter(lue_le__isnull=True).count()
    return {
        "navigation": menu(request),
        "navigation_compte": menu_compte(request),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "notifications_non_lues": non_lues,
    }
