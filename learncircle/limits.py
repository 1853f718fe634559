"""Rate limits (Flask-Limiter): counted per account and per client address for logins."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])
