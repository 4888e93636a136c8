from django.urls import path
from django.views.i18n import set_language

from maque.workspace import auth, exchange_views, item_views, views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("language/", set_language, name="set_language"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/bulk/", views.ledger_bulk, name="ledger_bulk"),
    path("items/<int:pk>/", item_views.item_detail, name="item"),
    path("items/<int:pk>/progress/", item_views.item_progress, name="item_progress"),
    path("items/<int:pk>/act/<slug:action>/", item_views.item_act, name="item_act"),
    path("register/", item_views.register, name="register"),
    path("files/<int:pk>/", item_views.attachment_file, name="attachment"),
    path("files/<int:pk>/thumb/", item_views.attachment_thumb, name="attachment_thumb"),
    path("spreadsheets/", exchange_views.spreadsheets, name="spreadsheets"),
    path("spreadsheets/<uuid:key>/", exchange_views.import_preview, name="import"),
    path("spreadsheets/<uuid:key>/commit/", exchange_views.import_commit, name="import_commit"),
    path("villages/", views.village_list, name="villages"),
    path("villages/<int:pk>/", views.village_detail, name="village"),
]
