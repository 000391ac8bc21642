"""The dashboard's pages: ``<page>.py`` is a page script that ``app.py``'s router (``st.navigation``) runs at
``/<page>``; ``<page>_url.py`` beside it holds that page's URL parameters (the machinery is ``dashboard.urlstate``).

``PAGE_KEYS``: every key some page keeps in the URL, so one page leaves another's keys alone without a notice.
"""

from __future__ import annotations

from dashboard.views import aid_url, compare_url, country_url, indicators_url, sources_url, tfhs_url

PAGE_KEYS = frozenset().union(*(m.KEYS for m in (compare_url, indicators_url, country_url, aid_url, tfhs_url,
                                                  sources_url)))
