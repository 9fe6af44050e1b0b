from functools import wraps

from django.shortcuts import render


def membership_requis(view):
    """La vue exige un rattachement courant ; sans rattachement actif, une page 403 claire."""

    @wraps(view)
    def _wrapped(request, *args, **kwargs):
        if request.membership is None:
            return render(request, "accompagnement/sans_rattachement.html", status=403)
        return view(request, *args, **kwargs)

    return _wrapped
