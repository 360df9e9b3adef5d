"""The Post page (``/posts/{post_id}``): the card at full size, caption and alt text, the featured
people with their facts as of the post's day, every attempt and audit entry, the platform link, and
the actions that apply (approve, retry, resolve) as POST forms. ``/posts/{post_id}/card`` serves the
card image from the ledger's blob (content-addressed, so cached by the browser for good)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from .. import acts
from ..auth import Caller, context, form_operator, page_viewer
from ..context import WebContext
from ..detail import post_detail
from ..errors import NotFound
from ..render import NavItem

router = APIRouter(include_in_schema=False)
NAV: tuple[NavItem, ...] = ()

MEDIA = {"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@router.get("/posts/{post_id}")
def post_page(request: Request, post_id: str, caller: Caller = Depends(page_viewer),
              ctx: WebContext = Depends(context)) -> Response:
    post = post_detail(ctx.ledger, post_id, ctx.now())
    return ctx.pages.render(request, "post.html", {"post": post})


@router.get("/posts/{post_id}/card")
def post_card(post_id: str, v: str = "", caller: Caller = Depends(page_viewer),
              ctx: WebContext = Depends(context)) -> Response:
    post = ctx.ledger.post(post_id)
    if not post.card or not ctx.ledger.has_blob(post.card):
        raise NotFound(f"{post_id} has no card yet (it is {post.state}); it is drawn when the post is rendered")
    data = ctx.ledger.get_blob(post.card)
    # The address names the card's hash (?v=): an unchanged address is an unchanged image.
    cache = "private, max-age=31536000, immutable" if v and post.card.startswith(v) else "private, no-cache"
    return Response(data, media_type=MEDIA.get((post.card_format or "").lower(), "application/octet-stream"),
                    headers={"Cache-Control": cache, "ETag": f'"{post.card}"'})


def _done(ctx: WebContext, post_id: str, message: str) -> Response:
    return ctx.auth.back_to(f"/posts/{post_id}", message)


@router.post("/posts/{post_id}/approve")
def approve_form(post_id: str, caller: Caller = Depends(form_operator), ctx: WebContext = Depends(context)) -> Response:
    return _done(ctx, post_id, acts.approve_post(ctx.ledger, caller.user, post_id, ctx.now()).message)


@router.post("/posts/{post_id}/retry")
def retry_form(post_id: str, caller: Caller = Depends(form_operator), ctx: WebContext = Depends(context)) -> Response:
    return _done(ctx, post_id, acts.retry_post(ctx.ledger, caller.user, post_id, ctx.now()).message)


@router.post("/posts/{post_id}/resolve")
def resolve_form(post_id: str, outcome: str = Form(...), url: str = Form(""), caller: Caller = Depends(form_operator),
                 ctx: WebContext = Depends(context)) -> Response:
    """``outcome``: ``posted`` (with ``url``) or ``not_posted``."""
    how = acts.Resolution(posted_url=url.strip() or "" if outcome == "posted" else None,
                          not_posted=outcome == "not_posted")
    return _done(ctx, post_id, acts.resolve_post(ctx.ledger, caller.user, post_id, how, ctx.now()).message)


__all__ = ["NAV", "router"]
