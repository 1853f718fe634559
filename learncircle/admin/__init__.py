"""The instance admin's pages: every account (search, suspend, lift, delete) and the audit log of admin and
moderation actions across the instance.

  access.py     who is an instance admin, and whom they may suspend or delete (not themselves, not the last admin)
  accounts.py   the accounts list and the actions on an account, each written to the audit log
  audit_log.py  the audit log as the admin page reads it: newest first, by circle and by action
  forms.py      the actions' forms
  views.py      the "admin" blueprint under /admin
"""
