"""A person's notifications: the list (a page, or the header's fragment with
htmx), opening one (marks it read and goes to the thing itself), and marking
all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications import inbox

PAGE_SIZE = 20


def _items(notifications: list) -> list[dict]:
    return [{"n": n, "text": inbox.notification_text(n)} for n in notifications]


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = inbox.notifications_for_user(user=request.user)
    if request.htmx:
        items = _items(list(mine[: inbox.LIST_SIZE]))
        return render(request, "web/_notification_list.html", {"items": items})
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "items": _items(list(page.object_list))}
    return render(request, "web/notifications.html", context)


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    url = inbox.notification_open(user=request.user, notification_id=notification_id)
    if url is None:
        raise Http404
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        raise Http404
    return redirect(url)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    inbox.notifications_read_all(user=request.user)
    return redirect("web:notifications")
