"""Verify your account: a FastAPI site proving social accounts through PostSyncer's flow.

Connect → Flow.begin (bound to this browser's session cookie) → the consent page → /callback
→ Flow.complete → the verified account, or what went wrong in words a person can act on.
The flow keeps the state (single use, bound to the session); this app keeps nothing.
"""

import html
import os
import secrets

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from postsyncer_delegation import BeginError, Client, CompleteError, Flow, Platform

# PSD_EMULATOR_URL unset: the real PostSyncer.
emulator_url = os.environ.get("PSD_EMULATOR_URL")
client = Client(os.environ["PSD_API_KEY"], base_url=f"{emulator_url}/api" if emulator_url else None)
signing_secrets = [os.environ["PSD_SIGNING_SECRET"]]
# Redis when several processes serve the site (any of them may get the callback).
flow = (
    Flow.with_redis(client, signing_secrets, os.environ["REDIS_URL"])
    if os.environ.get("REDIS_URL")
    else Flow(client, signing_secrets)
)

SESSION_COOKIE = "sid"
PLATFORMS = {p.wire_name(): p for p in Platform}

# Per error kind, what the person can do about it.
COMPLETE_ERRORS = {
    "state_not_found": "This link was already used or has expired. Start again.",
    "subject_mismatch": "This link was started in another browser or session. "
    "Start again from this browser.",
    "authorization_denied": "You declined the request, so nothing was linked. "
    "Connect again if you change your mind.",
    "store_unavailable": "We could not check this link right now. Try again in a minute.",
    "expired": "This link has expired. Start again.",
}
BEGIN_ERRORS = {
    "store_unavailable": "We cannot start a verification right now. Try again in a minute.",
    "rate_limited": "Too many verifications at once. Try again in a minute.",
}

app = FastAPI()


def page(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>Verify your account</title>"
        f"<h1>Verify your account</h1>{body}<p><a href='/'>Back to the start</a></p>",
        status_code,
    )


@app.middleware("http")
async def browser_session(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Gives every browser a session id, the flow's subject (a real app has its own)."""
    request.state.sid = request.cookies.get(SESSION_COOKIE) or secrets.token_urlsafe(32)
    response = await call_next(request)
    if SESSION_COOKIE not in request.cookies:
        # Lax: the cookie comes back on the consent page's top-level redirect to /callback.
        response.set_cookie(SESSION_COOKIE, request.state.sid, httponly=True, samesite="lax")
    return response


@app.get("/")
def index(request: Request) -> HTMLResponse:
    buttons = "".join(
        f"<form method=post action='/connect/{name}'>"
        f"<button id='connect-{name}'>Connect {name}</button></form>"
        for name in PLATFORMS
    )
    return page(f"<p>Prove which account is yours.</p>{buttons}")


@app.post("/connect/{platform}")
async def connect(platform: str, request: Request) -> Response:
    if platform not in PLATFORMS:
        return page("<p id=error>Unknown platform.</p>", 404)
    try:
        begun = await flow.begin(
            PLATFORMS[platform], str(request.url_for("callback")), subject=request.state.sid
        )
    except BeginError as e:
        words = BEGIN_ERRORS.get(e.kind, f"We cannot start a verification ({e.kind}). Try again later.")
        return page(f"<p id=error data-kind={e.kind}>{html.escape(words)}</p>", 503)
    return RedirectResponse(begun.authorize_url, status_code=303)


@app.get("/callback")
async def callback(request: Request) -> Response:
    try:
        done = await flow.complete(str(request.url), subject=request.state.sid)
    except CompleteError as e:
        words = COMPLETE_ERRORS.get(e.kind, f"This link could not be verified ({e.kind}). Start again.")
        return page(f"<p id=error data-kind={e.kind}>{html.escape(words)}</p>", 400)
    proof = done.proof
    return page(
        "<p id=verified>Verified.</p><dl>"
        f"<dt>Platform</dt><dd id=platform>{proof.platform.wire_name()}</dd>"
        f"<dt>Platform id</dt><dd id=platform-id>{html.escape(proof.platform_id)}</dd>"
        f"<dt>Handle</dt><dd id=handle>{html.escape(proof.handle)}</dd></dl>"
    )
