# Sourced by the tree scripts: the one project identity used as author,
# committer and Signed-off-by of every patch.  A human submitter adds their
# own Signed-off-by before mailing (see the cover letter).
PROJECT_NAME='PASID Series Project'
PROJECT_EMAIL='pasid-series@example.org'

configure_identity() { # $1 = git working tree
	git -C "$1" config user.name "$PROJECT_NAME"
	git -C "$1" config user.email "$PROJECT_EMAIL"
	# Stable hash abbreviation: its automatic length depends on repo size.
	git -C "$1" config core.abbrev 12
	git -C "$1" config am.threeWay false
}
