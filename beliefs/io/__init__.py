"""Files and formats: scenarios, the catalogue, share links, views, atomic writes, CSV."""
