# AMF Events, production image: gunicorn serves the app, the same image runs the Celery worker and
# beat (docker-compose.yml). Static files are collected at build time and served by WhiteNoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=amf.settings.production

# The runtime part of the one list of Debian packages (requirements/debian-packages.txt, also read by
# make and .ci/run): Pango and HarfBuzz lay out PDFs, the Noto fonts cover every ASEAN script on
# badges, gettext compiles translations. Copied alone first, so this layer is rebuilt only when they
# change.
COPY requirements/debian-packages.txt requirements/debian-packages.txt
COPY .ci/system-packages .ci/system-packages
RUN bash .ci/system-packages runtime \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 amf \
    && useradd --system --uid 1000 --gid amf --home-dir /app --shell /usr/sbin/nologin amf

WORKDIR /app

# Hashed lock file, no resolver at install time: exactly the tested versions.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes --no-deps -r requirements/base.txt

# The code and the collected static files belong to root and are read-only for the app; only var/
# (uploaded media, the beat schedule) is writable. A build-only secret: collectstatic and
# compilemessages need settings, never a real key.
COPY . .
RUN export SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost AMF_ENV_FILE= \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && if [ -d locale ]; then python manage.py compilemessages --verbosity 0; fi \
    && mkdir -p var/media \
    && chown amf:amf var var/media

USER amf

EXPOSE 8000

# /healthz checks the database and the broker; it is exempt from the HTTPS redirect. The request
# names an allowed host, as a proxy would.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.').replace('*', 'localhost'); r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"]

# Two gunicorn workers per CPU core unless WEB_CONCURRENCY says otherwise.
CMD ["sh", "-c", "exec gunicorn amf.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-$(( $(nproc) * 2 ))}"]
