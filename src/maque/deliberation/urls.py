"""The public pages, mounted at `/p/` by `maque.urls` (everything public under one prefix)."""

from django.urls import path

from maque.deliberation import pages

app_name = "public"

urlpatterns = [
    path("receipt/", pages.receipt_page, name="receipt"),
    path("receipt/satisfaction/", pages.receipt_satisfaction, name="receipt_satisfaction"),
    path("<str:public_code>/", pages.village_page, name="village"),
    path("<str:public_code>/poster/", pages.poster, name="poster"),
]
