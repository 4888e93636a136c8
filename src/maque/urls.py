from django.contrib import admin
from django.urls import include, path, re_path

from maque.api.views import not_found as api_not_found
from maque.api_root import api

admin.site.site_header = "麻雀 · Maque"
admin.site.site_title = "Maque"

urlpatterns = [
    path("", include("maque.workspace.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),  # after every API route: a JSON 404
    path("bulletins/", include("maque.bulletins.urls")),
    # The villages' public pages: no account, and everything public under this one prefix.
    path("p/", include("maque.deliberation.urls")),
]

# Uploaded evidence is never served from a public /media/ route: only through the scoped
# GET /api/v1/attachments/{id}, which checks who may see the item.
