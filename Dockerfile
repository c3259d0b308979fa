# The web process for docker-compose.yml: gunicorn serving Hypershop with production settings.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN pip install --no-cache-dir "uv==0.13.9"
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
# Static files are collected into the image (whitenoise can serve them on its own); docker-compose.yml
# collects them again at start into the volume its nginx serves /static/ from.
RUN SECRET_KEY=collectstatic-only DJANGO_SETTINGS_MODULE=shop.settings.prod python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "shop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
