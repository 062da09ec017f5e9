#!/bin/bash
# certificates-writers.sh: fails if any source file other than lib/cert_lifecycle.c writes the certificates table
# (INSERT / REPLACE / UPDATE / DELETE / TRUNCATE, any case and spacing, SQL split over adjacent C string literals);
# schema/ (migrations and their triggers), tests/ (fixtures) and documentation are not program code. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1

OWNER=lib/cert_lifecycle.c

# writers FILE...: prints "FILE: STATEMENT" for every write to certificates.
# Comments are dropped first (a comment may name the table freely), then
# adjacent string literals joined ("UPDATE " "certificates" reads as one),
# so only what would reach the database is matched. Perl is part of every
# Debian system (perl-base is essential), so this adds no dependency.
writers() {
	perl -0777 -ne '
		my $t = $_;
		$t =~ s{("(?:\\.|[^"\\\n])*")|(\x27(?:\\.|[^\x27\\\n])*\x27)|(/\*.*?\*/)|(//[^\n]*)}
		       {defined $1 ? $1 : defined $2 ? $2 : " "}gse;
		$t =~ s/(?<!\\)"\s*"//g;
		my $tbl = qr/[`"]?(?:\w+[`"]?\.[`"]?)?certificates[`"]?(?![\w.])/i;
		while ($t =~ m{
			( \binsert\s+(?:(?:low_priority|delayed|high_priority|ignore)\s+)*(?:into\s+)?$tbl
			| \breplace\s+(?:(?:low_priority|delayed)\s+)*(?:into\s+)?$tbl
			| \bupdate\s+(?:(?:low_priority|ignore)\s+)*(?:(?!\bset\b)[^;]){0,300}?(?<![\w.])$tbl(?:(?!\bset\b)[^;]){0,300}?\bset\b
			| \bdelete\s+(?:(?:low_priority|quick|ignore)\s+)*(?:[\w.`]+(?:\s*,\s*[\w.`]+)*\s+)?from\s+$tbl
			| \btruncate\s+(?:table\s+)?$tbl
			)}gisx) {
			(my $s = $1) =~ s/\s+/ /g;
			print "$ARGV: ", substr($s, 0, 120), "\n";
		}
	' "$@"
}

# ---- the matcher itself, on samples (a check that matches nothing proves nothing)
S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT
cat > "$S/bad.c" <<'EOF'
static const char *a = "INSERT INTO certificates (id) VALUES (?)";
static const char *b = "update   certificates\n SET status = ?";
static const char *c = "UPDATE "
    "certificates SET x = 1";
static const char *d = "delete from `certificates` WHERE id = ?";
static const char *e = "REPLACE INTO certmint.certificates (id) VALUES (1)";
static const char *f = "INSERT IGNORE INTO"
	/* a comment between the pieces */
	" certificates (id) VALUES (2)";
static const char *g = "UPDATE certificates c JOIN organizations o ON o.id = c.org_id SET c.status = 'revoked'";
static const char *h = "DELETE c FROM certificates c WHERE c.id = 1";
EOF
cat > "$S/good.c" <<'EOF'
/* UPDATE certificates SET status = 'issued' is only ever done by the lifecycle. */
// DELETE FROM certificates: never
static const char *a = "SELECT status FROM certificates WHERE id = ?";
static const char *b = "UPDATE certificate_names SET name = ?";
static const char *c = "INSERT INTO audit_log (action) VALUES ('certificate.issue')";
static const char *d = "DELETE FROM domains WHERE id IN (SELECT domain_id FROM certificates)";
static const char *e = "UPDATE organizations SET name = ? WHERE id = ?";
static const char *f = "certificates whose update failed";
EOF
found=$(writers "$S/bad.c" | wc -l)
expect_eq "the matcher finds all 8 writes in the samples (case, spacing, backquotes, split literals, joins)" "$found" 8
found=$(writers "$S/good.c")
expect_eq "... and none in reads, comments, other tables or prose" "$found" ""

# ---- the tree
files=()
if git rev-parse --git-dir >/dev/null 2>&1; then
	while IFS= read -r f; do files+=("$f"); done < <(git ls-files --cached --others --exclude-standard)
else
	while IFS= read -r f; do files+=("${f#./}"); done < <(find . -type f -not -path './_build/*' -not -path './.git/*')
fi
src=()
for f in "${files[@]}"; do
	case $f in
	schema/* | tests/* | _build/* | */node_modules/* | "$OWNER") continue ;;
	*.c | *.h | *.sh | *.sql | *.lua | *.awk | *.pl | *.py) [ -f "$f" ] && src+=("$f") ;;
	esac
done
if [ ${#src[@]} -gt 50 ]; then ok "found ${#src[@]} source files to check"; else fail "only ${#src[@]} source files found"; fi
if [ -f "$OWNER" ] && [ -n "$(writers "$OWNER")" ]; then
	ok "$OWNER writes the certificates table (the one writer)"
else
	fail "$OWNER is missing or writes nothing: is the matcher still right?"
fi
bad=$(writers "${src[@]}")
if [ -z "$bad" ]; then
	ok "no file but $OWNER writes the certificates table"
else
	fail "files other than $OWNER write the certificates table (use lib/cert_lifecycle.h)"
	printf '%s\n' "$bad" | sed 's/^/#   /'
fi
done_testing
