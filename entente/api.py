"""The JSON API root, mounted at /api/v1/: each app adds its router here.

The contract is the OpenAPI 3.1 document at /api/v1/openapi.json (browsable at
/api/v1/docs); what every operation shares is in entente.apikit.
"""

from entente.accounts.api import router as accounts_router
from entente.agreements.api import router as agreements_router
from entente.agreements.api_commitments import router as commitments_router
from entente.agreements.api_reports import router as reports_router
from entente.apikit.api import EntenteAPI
from entente.attachments.api import router as attachments_router
from entente.comments.api import router as comments_router
from entente.liaison.api import router as liaison_router
from entente.meetings.api import router as meetings_router
from entente.notices.api import router as notices_router
from entente.records.api import router as records_router
from entente.sync.api import router as sync_router
from entente.training.api import router as training_router

api = EntenteAPI(
    title="Entente API",
    version="1",
    description=(
        "Cooperation agreements and their implementation. Authenticate with a personal "
        "token (`Authorization: Bearer ent_...`, see `entente token create`) or a logged-in "
        "session (send the CSRF token as X-CSRFToken on POST, PATCH, PUT and DELETE). "
        "Errors are `application/problem+json` (RFC 9457). Changes to a versioned record "
        "need `If-Match` with its ETag. POSTs that create records accept `Idempotency-Key` "
        "(remembered for 24 hours). Each token, user and client address may send "
        "ENTENTE_API_RATE_LIMIT requests a minute (600 by default); beyond that, 429 with "
        "Retry-After. Lists are paginated with an opaque `cursor`."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

api.add_router("", accounts_router)
api.add_router("", agreements_router)
api.add_router("", commitments_router)
api.add_router("", reports_router)
api.add_router("", attachments_router)
# Before meetings, where the audit trail has always been in the document.
api.add_router("", records_router)
api.add_router("", meetings_router)
api.add_router("", training_router)
api.add_router("", liaison_router)
api.add_router("", comments_router)
api.add_router("", notices_router)
api.add_router("", sync_router)
