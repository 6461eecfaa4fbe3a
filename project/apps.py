"""Application configs of the project package."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class KinerjaStaticFilesConfig(StaticFilesConfig):
    """``django.contrib.staticfiles`` without the ``node_modules`` folders vendored inside viewflow's
    static files: they are npm sources nothing references (viewflow's templates load the copies one
    level up, e.g. ``viewflow/fonts/roboto/roboto-fontface.css``), and one of them
    (``roboto-fontface.css``) names fonts that are not shipped, which makes the manifest storage
    abort ``collectstatic``. Leaving them out also keeps STATIC_ROOT about half the size. Likewise
    viewflow's ``js/contrib/dash`` (Plotly Dash bundles, 70 MB): no page of the product uses them, and
    compressing them made ``collectstatic`` take minutes. And ``fonts/simple-icons`` (brand icons,
    13 MB of fonts, only named by viewflow's own login page, which the product replaces): compressing
    them took a third of ``collectstatic``'s time."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "node_modules", "dash", "simple-icons"]
