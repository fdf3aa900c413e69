"""Full-text search over stored documents: the Japanese analyzer, the index
behind a narrow interface, queries and highlighted snippets. Knows nothing of
OCR or HTTP.
"""

from search.index import DocumentIndex, IndexEntry, QueryLimits, SearchHit, SearchResults, WhooshIndex, check_query
from search.tantivy_index import TantivyIndex

__all__ = ["DocumentIndex", "IndexEntry", "QueryLimits", "SearchHit", "SearchResults", "TantivyIndex", "WhooshIndex",
           "check_query"]
