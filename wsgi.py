"""WSGI entry point for any server: `waitress-serve wsgi:app`, gunicorn, uWSGI…"""
from learncircle import create_app

app = create_app()
# Reviewers are allocated in the background, at each round's deadline (learncircle.reviews.background_allocation).
app.extensions["learncircle.allocation_worker"].start()
# The outbox is sent by a thread too, when SMTP_HOST is set (learncircle.mail.sender).
app.extensions["learncircle.mail_sender"].start()
# What has outlived its time (the audit log past its retention…) is deleted hourly (learncircle.housekeeping).
app.extensions["learncircle.housekeeper"].start()
