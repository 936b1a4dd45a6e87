"""What the homepage itself says: whether it answers, its name, language editions and menu."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from babel import localedata
from courlan import is_navigation_page, is_not_crawlable
from newsflow.crawlers.discovery import absolute_url
from newsflow.crawlers.polite import Answer
from newsflow.crawlers.scout.findings import ScoutError
from parsel import Selector

from newsflow.extraction import PageKind, classify_page
from newsflow.extraction.pages import block_page_vendor

MAX_EDITIONS = 8
_MENU = "ancestor::nav|ancestor::header|ancestor::footer|ancestor::*[contains(@class,'menu')]"


def check_home(home: Answer, url: str) -> None:
    """Raise ScoutError unless the homepage answered with a page (not a challenge, not an error)."""
    if home.page is None:
        raise ScoutError(f"cannot reach {home.problem}")
    text = home.text()
    if home.status in (403, 429, 503) and classify_page(text, url) is PageKind.BLOCKED:
        vendor = block_page_vendor(text) or _challenge_vendor(home)
        by = f" ({vendor})" if vendor else ""
        raise ScoutError(
            f"{url} answers HTTP {home.status} with a bot-defence challenge{by}; newsflow "
            "does not solve challenges, so it cannot follow this site"
        )
    if home.problem:
        raise ScoutError(f"{url}: {home.problem}")
    if home.status != 200:
        raise ScoutError(f"{url} answered HTTP {home.status}")


def _challenge_vendor(home: Answer) -> str | None:
    headers = {k.lower(): v.lower() for k, v in (home.page.headers if home.page else {}).items()}
    if "cloudflare" in headers.get("server", "") or "cf-mitigated" in headers:
        return "Cloudflare"
    return None


def edition_homes(
    home: Answer, languages: tuple[str, ...], owns_host: Callable[[str], bool]
) -> list[tuple[str, str, str]]:
    """(key, language, URL) of each edition: the page's on-site hreflang alternates, else its
    links to language prefixes (/en/, /ar/), or itself.

    ``languages`` (the user's --language) keeps those editions; a site with one edition takes
    the first of them as its language.
    """
    page = Selector(text=home.text(), base_url=home.final_url)
    declared = _code(page.xpath("/html/@lang").get() or "")
    alternates: dict[str, str] = {}
    for link in page.css("link[rel=alternate][hreflang]"):
        code = _code(link.attrib.get("hreflang", ""))
        url = absolute_url(home.final_url, link.attrib.get("href", ""))
        if code and url and owns_host(urlsplit(url).hostname or ""):
            alternates.setdefault(code, url)
    if len(alternates) < 2:
        alternates = _prefix_editions(page, home.final_url, owns_host)
    if len(alternates) < 2:
        language = languages[0] if languages else declared
        return [(language or "und", language or "", home.final_url)]
    if declared and declared not in alternates:
        alternates[declared] = home.final_url
    wanted = [code for code in alternates if not languages or code in languages]
    missing = [code for code in languages if code not in alternates]
    if missing:
        offered = ", ".join(sorted(alternates))
        raise ScoutError(f"no {', '.join(missing)} edition found; the site offers: {offered}")
    return [(code, code, alternates[code]) for code in wanted[:MAX_EDITIONS]]


def _prefix_editions(page: Selector, url: str, owns_host: Callable[[str], bool]) -> dict[str, str]:
    """Editions a language switcher links to by URL prefix (``/en/``, ``/ar/``) where the page
    names no hreflang alternates. Two prefixes at least, each a language Babel knows (one
    section such as /uk/ beside /us/ and /world/ is no switcher), or none at all."""
    found: dict[str, str] = {}
    for href in page.css("a::attr(href)").getall():
        target = absolute_url(url, href) or ""
        parts = urlsplit(target)
        prefix = re.fullmatch(r"/([a-z]{2})/?", parts.path)
        on_site = not parts.query and owns_host(parts.hostname or "")
        if prefix and on_site and localedata.exists(prefix[1]):
            found.setdefault(prefix[1], target)
    return found if len(found) >= 2 else {}


def _code(tag: str) -> str:
    """The ISO 639-1 part of a language tag (``fr-FR`` → ``fr``), or nothing."""
    match = re.match(r"^([a-zA-Z]{2})(?:[-_]|$)", tag.strip())
    return match[1].lower() if match else ""


def site_name(home: Answer) -> str:
    """The site's own name: og:site_name, else the <title>'s last part, else its host."""
    page = Selector(text=home.text())
    named = page.css("meta[property='og:site_name']::attr(content)").get()
    if named and named.strip():
        return named.strip()
    title = (page.css("title::text").get() or "").strip()
    if title:
        return re.split(r"\s+[|–—-]\s+", title)[-1].strip() or title
    return urlsplit(home.final_url).hostname or home.final_url


def agency_id_for(site: str, name: str) -> str:
    """A registry id from the host (``www.wp-plain.example`` → ``wp_plain``), else the name."""
    for text in (site.split(".")[0], name):
        slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
        if re.fullmatch(r"[a-z][a-z0-9_]*", slug):
            return slug
    return "site"


def menu_links(home: Answer) -> list[str]:
    """On-site links in the page's menus, header and footer: sections and pages, not articles."""
    page = Selector(text=home.text(), base_url=home.final_url)
    links = []
    for anchor in page.css("a[href]"):
        if anchor.xpath(_MENU):
            url = absolute_url(home.final_url, anchor.attrib["href"])
            if url:
                links.append(url.split("#")[0])
    return list(dict.fromkeys(links))


def page_links(home: Answer) -> list[str]:
    """Every on-host link of the page, in order, without fragments."""
    page = Selector(text=home.text(), base_url=home.final_url)
    host = urlsplit(home.final_url).netloc
    links = (absolute_url(home.final_url, a) for a in page.css("a::attr(href)").getall())
    on_host = (u.split("#")[0] for u in links if u and urlsplit(u).netloc == host)
    # courlan knows the pages no article is on (logins, sign-ups, navigation).
    return list(dict.fromkeys(u for u in on_host if not _not_an_article(u)))


def _not_an_article(url: str) -> bool:
    return is_not_crawlable(url) or is_navigation_page(url)
