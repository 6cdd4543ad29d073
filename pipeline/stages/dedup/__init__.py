"""dedup: a MinHash signature of each document's clean text; the batch groups near-duplicates from them."""
