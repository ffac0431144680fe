import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_wsgi_application()

# Import every view (and with them WeasyPrint) now, then move the ~100,000 objects of the loaded app
# into the garbage collector's permanent generation: its full passes stop rescanning them, which
# takes ~25–30 ms (6–7 %) off each handout render (bench/handout.py, docs/benchmarks.md).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (the access imports the views)
gc.freeze()

# The handout render pool (RENDER_BACKEND=pool) starts with the app-server process, in the background,
# so the first "Print handout" does not wait for it (consult/documents/rendering.py).
from consult.documents import rendering  # noqa: E402

rendering.start_in_background()
