"""The JSON API root: `/api/v1/`. Routers are added by each app's api module."""

from ninja import NinjaAPI

api = NinjaAPI(title="Maque API", version="1", urls_namespace="api-v1", docs_url="/docs")
