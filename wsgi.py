"""WSGI entry point for any server: `waitress-serve wsgi:app`, gunicorn, uWSGI…"""
from learncircle import create_app

app = create_app()
