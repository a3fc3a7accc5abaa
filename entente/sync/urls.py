from entente.core.pages import page
from entente.sync import views

app_name = "sync"

urlpatterns = [
    page("agreements/<uuid:pk>/peers/new/", views.peer_add),
    page("peers/<uuid:pk>/retire/", views.peer_retire),
]
