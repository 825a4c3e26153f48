"""Name badges: what they print (content), how their texts fit (fitting), the PDF (pdf), the delegate's
stored copy (storage) and the downloads (views)."""
