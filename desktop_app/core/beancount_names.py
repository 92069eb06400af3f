"""Beancount account names for Saldo's accounts and categories: valid, distinct and readable.

Beancount names an account by components joined with colons. Its account check
(``beancount.core.account``, v3) takes a component that starts with an uppercase letter or a
digit and goes on with letters of any script, digits and hyphens; its lexer (v2 and v3) agrees
for every such name. So a person's name keeps its own letters ("Ümlaut Konto" becomes
``Ümlaut-Konto``, "Spар" stays ``Spар``): words are joined with hyphens, each starting with a
capital; combining marks are composed first (NFKC) and any left over are dropped, as are
punctuation and symbols. A name that still cannot start a component (a script without capitals,
such as 食費) gets an ``X-`` in front.

Two things that would get the same name (``Food & drink`` and ``Food drink``; a category called
Uncategorised) are told apart by their id, so the journal never merges what Saldo keeps apart.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

from desktop_app.core.accounts import AccountView
from desktop_app.core.categories import Category

UNCATEGORISED = {"expense": "Expenses:Uncategorised", "income": "Income:Uncategorised"}


def component(text: str) -> str:
    """One account component from a person's name for something."""
    words: list[str] = []
    word = ""
    for ch in unicodedata.normalize("NFKC", text):
        kind = unicodedata.category(ch)
        if kind.startswith("L") or kind == "Nd":
            word += ch
        elif kind.startswith("M"):
            continue  # a mark NFKC could not compose: beancount takes none, the letter stays
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    name = "-".join(w[:1].upper() + w[1:] for w in words) or "Unnamed"
    return name if unicodedata.category(name[0]) in ("Lu", "Nd") else "X-" + name


def account_names(views: Iterable[AccountView]) -> dict[int, str]:
    """``Assets:Group:Name-id`` or ``Liabilities:…`` per account: the id keeps two accounts of
    the same name apart (and says which account it was)."""
    names = {}
    for a in views:
        side = "Liabilities" if a.liability else "Assets"
        names[a.id] = f"{side}:{component(a.group or 'Accounts')}:{component(a.name)}-{a.id}"
    return names


def category_names(tree: Iterable[Category]) -> dict[int, str]:
    """``Expenses:Parent:Child`` or ``Income:…`` per income and expense category (transfer
    categories have none). A name two categories would share ends in each one's id."""
    tree = [c for c in tree if c.kind in UNCATEGORISED]
    names: dict[int, str] = {}
    for level in (
        [c for c in tree if c.parent_id is None],
        [c for c in tree if c.parent_id is not None],
    ):
        wanted: dict[int, str] = {}
        for c in level:
            root = names.get(c.parent_id) if c.parent_id is not None else None
            root = root or ("Income" if c.kind == "income" else "Expenses")
            wanted[c.id] = f"{root}:{component(c.name)}"
        counts = Counter(wanted.values())
        taken = set(UNCATEGORISED.values())
        for cid, name in wanted.items():
            names[cid] = f"{name}-{cid}" if counts[name] > 1 or name in taken else name
    return names
