"""Static files storage for production: whitenoise's compressed manifest storage, minus the rewriting
of ``sourceMappingURL`` comments.

Django's manifest storage rewrites a source-map comment to the map's hashed name and aborts
``collectstatic`` when the map is not there. Third-party packages ship minified files whose map was
left out of their wheel (a vendored bundle naming a ``.map`` it does not carry), so one such package
upgrade would stop a deployment. Source maps are a debugging aid nothing else references: the
comment keeps its relative name, which resolves to the unhashed copy collectstatic also keeps."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for extension, rules in patterns:
        rules = tuple(rule for rule in rules if "sourceMappingURL" not in (rule if isinstance(rule, str) else rule[0]))
        if rules:
            kept.append((extension, rules))
    return tuple(kept)


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    # A page's frame names the same few files on every request ({% static %}: the stylesheets, the
    # scripts, the icon), each looked up in the manifest, hashed-name cleaned and URL-joined again
    # (about 100 Python calls each). The manifest is read once per process and never changes under
    # it, so each name's URL is worked out once. (collectstatic's own rewriting does not come here.)
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
