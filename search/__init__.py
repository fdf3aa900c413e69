"""Full-text search over stored documents: the Japanese analyzer, the index
behind a narrow interface, queries and highlighted snippets. Knows nothing of
OCR or HTTP.
"""

from search.index import DocumentIndex, IndexEntry, QueryLimits, SearchHit, SearchResults, WhooshIndex, check_query
from search.tantivy_index import TantivyIndex
from search.engines import ENGINES, index_exists, index_folder, open_index

__all__ = ["ENGINES", "DocumentIndex", "IndexEntry", "QueryLimits", "SearchHit", "SearchResults", "TantivyIndex", "WhooshIndex",
           "check_query", "index_exists", "index_folder", "open_index"]
