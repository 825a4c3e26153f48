"""Name badges: what they print (content), the fonts they are drawn with (fonts), whether what was typed
can print (printable), how their texts fit and are spaced (fitting), the PDF (pdf), the delegate's
stored copy (storage) and the downloads (views)."""
