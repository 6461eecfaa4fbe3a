"""The production static storage still hashes and rewrites references, but a vendored bundle naming
a source map its package does not ship no longer aborts ``collectstatic``."""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture
def vendor_files(tmp_path):
    source = tmp_path / "src"
    (source / "vendor").mkdir(parents=True)
    (source / "vendor" / "bundle.min.js").write_text("var a=1;\n" * 200 + "//# sourceMappingURL=bundle.min.js.map\n")
    (source / "vendor" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (source / "vendor" / "style.css").write_text(
        ".logo{background:url('logo.png')}\n/*# sourceMappingURL=style.css.map */\n"
    )
    return source, tmp_path / "collected"


def test_collectstatic_survives_a_missing_source_map_and_still_hashes_references(vendor_files):
    source, root = vendor_files
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "project.storage.StaticStorage"},
    }
    with override_settings(
        STATICFILES_DIRS=[str(source)],
        STATIC_ROOT=str(root),
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES=storages,
    ):
        call_command("collectstatic", "--no-input", verbosity=0)

    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    assert set(manifest) == {"vendor/bundle.min.js", "vendor/logo.png", "vendor/style.css"}
    css = (root / manifest["vendor/style.css"]).read_text()
    # The image reference points at the hashed copy; the source-map comment is left as it was.
    assert manifest["vendor/logo.png"].split("/")[-1] in css
    assert "sourceMappingURL=style.css.map" in css
    js = (root / manifest["vendor/bundle.min.js"]).read_text()
    assert js.endswith("//# sourceMappingURL=bundle.min.js.map\n")
    # whitenoise's compression still runs (the bundle is large enough to gain from it).
    assert (root / (manifest["vendor/bundle.min.js"] + ".gz")).exists()


def test_the_plain_manifest_storage_would_abort_on_the_same_files(vendor_files):
    """The reason for the subclass, kept visible: Django's own storage refuses these files."""
    source, root = vendor_files
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with (
        override_settings(
            STATICFILES_DIRS=[str(source)],
            STATIC_ROOT=str(root),
            STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
            STORAGES=storages,
        ),
        pytest.raises(Exception, match=r"\.map"),
    ):
        call_command("collectstatic", "--no-input", verbosity=0)
