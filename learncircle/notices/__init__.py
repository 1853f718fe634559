"""In-app notices: short messages for one person, with a link to where they should look."""
