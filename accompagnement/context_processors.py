from .navigation import menu


def navigation(request):
    return {
        "navigation": menu(request),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
