from django.urls import path

from maque.bulletins.views import bulletin_page

app_name = "bulletins"
urlpatterns = [path("<int:bulletin_id>/", bulletin_page, name="page")]
