"""The JSON API root: `/api/v1/`.

To other apps: add your router with api.add_router(prefix, router) at the bottom of this file.
Authentication (bearer token or session + CSRF) is on by default for every operation. Raise from
services, never build error responses by hand: Django `ValidationError` → 422 with a message per
field, `PermissionDenied`/`NotPermitted` → 403, `Http404`/`DoesNotExist` → 404, `ConflictError`
→ 409, `maque.api.errors.ApiError` for anything else; see `maque.api.errors`.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI, Swagger

from maque.api import errors
from maque.api.auth import BearerAuth, SessionAuth
from maque.api.parser import MaqueParser
from maque.api.renderer import FastJSONRenderer


def _signed_in(view: Any) -> Any:
    return login_required(view)


api = NinjaAPI(
    title="Maque API",
    version="1",
    description="麻雀 · Maque: the ledger of a township's key work. Send `Authorization: Bearer <token>` (from POST /auth/token) or use the browser session.",
    urls_namespace="api-v1",
    # MAQUE_API_DOCS: the documentation and its OpenAPI document for anyone, for signed-in users
    # only (the production default), or not at all.
    docs_url=None if settings.MAQUE_API_DOCS == "off" else "/docs",
    openapi_url=None if settings.MAQUE_API_DOCS == "off" else "/openapi.json",
    docs_decorator=_signed_in if settings.MAQUE_API_DOCS == "signed-in" else None,
    # Served from the package's own static files; no validator badge (it would call out).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    auth=[BearerAuth(), SessionAuth()],
    parser=MaqueParser(),
    renderer=FastJSONRenderer(),
)
errors.install(api)

# --- routers: add yours with api.add_router(prefix, router) below --------------------------------
from maque.api.tokens import router as token_router  # noqa: E402
from maque.ledger.api import router as ledger_router  # noqa: E402
from maque.organisation.api import router as organisation_router  # noqa: E402

api.add_router("/auth", token_router)
api.add_router("/", organisation_router)
api.add_router("/", ledger_router)
from maque.accountability.api import router as accountability_router  # noqa: E402
from maque.notifications.api import router as notifications_router  # noqa: E402

api.add_router("/", notifications_router)
api.add_router("/", accountability_router)
from maque.bulletins.api import router as bulletins_router  # noqa: E402

api.add_router("/bulletins", bulletins_router)
from maque.meetings.api import router as meetings_router  # noqa: E402
from maque.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/meetings", meetings_router)
from maque.meetings.roster_api import router as rosters_router  # noqa: E402

api.add_router("/", rosters_router)
api.add_router("/", supervision_router)
from maque.exchange.api import router as exchange_router  # noqa: E402

api.add_router("/ledger", exchange_router)
# Before the apps' own routers: `/projects/export` must not be read as the project `export`.
from maque.exchange.sheets.api import router as sheets_router  # noqa: E402

api.add_router("/", sheets_router)
from maque.diagnosis.api import router as diagnosis_router  # noqa: E402

api.add_router("/", diagnosis_router)
from maque.diagnosis.goals_api import router as goals_router  # noqa: E402

api.add_router("/", goals_router)
from maque.deliberation.api import router as deliberation_router  # noqa: E402
from maque.deliberation.public_api import router as public_router  # noqa: E402

api.add_router("/", deliberation_router)
api.add_router("/public", public_router)
from maque.petitions.api import router as petitions_router  # noqa: E402

api.add_router("/", petitions_router)
from maque.projects.api import router as projects_router  # noqa: E402

api.add_router("/projects", projects_router)
from maque.decisions.api import router as decisions_router  # noqa: E402

api.add_router("/village-decisions", decisions_router)
from maque.fieldwork.api import router as fieldwork_router  # noqa: E402

api.add_router("/", fieldwork_router)
