"""Static file storage: WhiteNoise's compressed, hashed names, with ES module imports
rewritten to the hashed names too (so every PWA file can be cached forever).

Pitfall: Django finds ``export … from "x.js"`` with a loose pattern, so the lowercase
word "export" in a comment above a module's imports makes it rewrite that import twice
and collectstatic fails (``tests/test_static_assets.py`` catches it).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
