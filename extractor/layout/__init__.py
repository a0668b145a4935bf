"""Layout: sections, the narrative text stream and (later) tables found on the pages."""
