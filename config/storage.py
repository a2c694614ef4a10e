"""Static file storage: WhiteNoise's compressed, hashed names, with ES module imports
rewritten to the hashed names too (so every PWA file can be cached forever)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
