from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.static import serve

from maque.api.root import api
from maque.core.views import home

admin.site.site_header = "麻雀 · Maque"
admin.site.site_title = "Maque"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if not settings.PRODUCTION:
    # The embedded demo serves uploaded evidence itself; production puts a proxy in front.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
