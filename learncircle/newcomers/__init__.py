"""New members: the limits a circle puts on its newest members, which lift by themselves, and the first posts
that wait for a facilitator's approval.

  rules.py           who is new (days since joining, accepted posts), the limits in force, the checks
  posting.py         new threads, replies and edits under the limits (what the discussions' views call)
  approvals.py       held posts: the list, approve, reject, ask again; the facilitators' notice
  wording.py         what new members are told: the line beside the composer, why a post was refused
  access.py          who may review approvals, read and change the limits, ask again
  forms.py           the settings form, a facilitator's decision
  views.py           the circle's "New members" settings page (blueprint `newcomers`)
  approval_views.py  the approvals page and its actions (blueprint `approvals`)
"""
