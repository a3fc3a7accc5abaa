from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    # A placeholder until the dashboard issue replaces it.
    return render(request, "core/home.html")
