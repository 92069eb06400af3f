"""Acting as the person's browser over real HTTP: open the authorize URL, answer the consent form."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

import httpx2

FORM_FIELD = re.compile(r'<input type="(?:hidden|checkbox|radio)" name="(\w+)" value="([^"]*)"([^>]*)>')


def consent(
    url: str,
    decision: str = "approve",
    accounts: list[str] | None = None,
    scopes: list[str] | None = None,
    customer: str | None = None,
) -> httpx2.Response:
    """Follow the provider's redirects to its consent page, submit the form, follow back to Saldo.

    Returns the receiver's answer (the last response).
    """
    with httpx2.Client(timeout=10, follow_redirects=False) as http:
        response = http.get(url)
        while response.status_code in (301, 302) and "/consent" in response.headers["Location"]:
            response = http.get(urljoin(str(response.url), response.headers["Location"]))
        if response.status_code in (301, 302):  # auto-approve: straight back to the receiver
            return http.get(response.headers["Location"])
        assert response.status_code == 200, response.text
        fields: list[tuple[str, str]] = []
        for name, value, rest in FORM_FIELD.findall(response.text):
            if name == "account" and accounts is not None:
                if value in accounts:
                    fields.append((name, value))
            elif name == "scope" and scopes is not None:
                if value in scopes:
                    fields.append((name, value))
            elif name == "customer" and customer is not None:
                if value == customer:
                    fields.append((name, value))
            elif "checked" in rest or name == "request_id":
                fields.append((name, value))
        fields.append(("decision", decision))
        action = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert action is not None
        back = http.post(
            urljoin(str(response.url), action.group(1)),
            content=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert back.status_code in (301, 302), back.text
        return http.get(back.headers["Location"])
