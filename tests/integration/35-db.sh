#!/bin/bash
# 35-db.sh: every SQL statement in the C sources is a prepared constant, and the applied schema is InnoDB/utf8mb4 with keyset indexes.
. tests/lib.sh
[ -n "$CERTMINT_STACK" ] && [ -f "$CERTMINT_STACK/stack.env" ] && . "$CERTMINT_STACK/stack.env"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# scan FILE...: prints one "file:line: reason" per violation of the rules:
#  1. only lib/db.c talks to the server with SQL text: mysql_query,
#     mysql_real_query, mysql_send_query and mysql_stmt_prepare appear nowhere
#     else, and in db.c only once each (cm_db_exec, cm_db_prepare);
#  2. cm_db_exec() outside db.c gets a string literal, except once in
#     lib/migrate.c, which runs the statements of the schema/ files;
#  3. cm_db_prepare() gets a string literal, "COND ? literal : literal", or the
#     name of a constant initialised with a literal in the same file; a
#     literal may be joined with macros #defined as literals (in the
#     sources or in a header of their folders);
#  4. no string literal that is a printf-style format contains SQL, so SQL
#     is never built with *printf.
scan() {
	perl -e '
	use strict; use warnings;
	my $bad = 0;
	sub report { my ($f, $src, $pos, $why) = @_;
		my $line = 1 + (substr($src, 0, $pos) =~ tr/\n//);
		print "$f:$line: $why\n"; $bad++; }
	# the call argument list from $pos (just after "("), up to the matching ")"
	sub args_at { my ($s, $pos) = @_; my $d = 1; my $i = $pos; my $n = length $s;
		while ($i < $n) { my $c = substr($s, $i, 1);
			if ($c eq q(")) { $i++; while ($i < $n && substr($s, $i, 1) ne q(")) { $i++ if substr($s, $i, 1) eq "\\"; $i++; } }
			elsif ($c eq "(") { $d++ } elsif ($c eq ")") { $d--; return substr($s, $pos, $i - $pos) if $d == 0; }
			$i++; }
		return substr($s, $pos); }
	# the second top-level argument
	sub second_arg { my ($a) = @_; my $d = 0; my $in = 0;
		for (my $i = 0; $i < length $a; $i++) { my $c = substr($a, $i, 1);
			if ($in) { $i++ if $c eq "\\"; $in = 0 if $c eq q("); next; }
			if ($c eq q(")) { $in = 1 } elsif ($c eq "(") { $d++ } elsif ($c eq ")") { $d-- }
			elsif ($c eq "," && $d == 0) { return substr($a, $i + 1); } }
		return ""; }
	# macros defined as one string literal: #define NAME "..."
	my %strmacro;
	{ my %dirs = map { (m{^(.*)/[^/]*$} ? $1 : ".") => 1 } @ARGV;
		for my $h (@ARGV, map { glob("$_/*.h") } sort keys %dirs) {
			open(my $fh, "<", $h) or next; local $/; my $s = <$fh>; close $fh;
			$strmacro{$1} = 1 while $s =~ /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+(?:\\\n[ \t]*)?(?:"(?:[^"\\\n]|\\.)*"[ \t]*(?:\\\n[ \t]*)?)+$/mg; } }
	for my $f (@ARGV) {
		open(my $fh, "<", $f) or next; local $/; my $src = <$fh>; close $fh;
		# blank out comments, keeping offsets and line numbers
		$src =~ s{(/\*.*?\*/|//[^\n]*)}{ (my $c = $1) =~ s/[^\n]/ /g; $c }gse;
		my $is_db = $f =~ m{(^|/)lib/db\.c$};
		my %count;
		while ($src =~ /\b(mysql_query|mysql_real_query|mysql_send_query|mysql_stmt_prepare)\s*\(/g) {
			my ($fn, $p) = ($1, $-[0]); $count{$fn}++;
			report($f, $src, $p, "$fn outside lib/db.c") unless $is_db;
			report($f, $src, $p, "$fn used more than once in lib/db.c")
				if $is_db && ($fn eq "mysql_query" || $fn eq "mysql_send_query" || $count{$fn} > 1);
		}
		my $is_migrate = $f =~ m{(^|/)lib/migrate\.c$};
		my $migrate_exec = 0;
		while ($src =~ /\bcm_db_exec\s*\(/g) {
			my $pos = $+[0]; next if $is_db;
			my $a = second_arg(args_at($src, $pos));
			next if $a =~ /^\s*"/;
			next if $is_migrate && ++$migrate_exec == 1;
			report($f, $src, $pos, "cm_db_exec with non-literal SQL");
		}
		while ($src =~ /\bcm_db_prepare\s*\(/g) {
			my $pos = $+[0];
			my $all = args_at($src, $pos);
			next if $all =~ /^\s*struct\b/;      # a declaration or definition
			my $a = second_arg($all);
			(my $rest = $a) =~ s/"(?:[^"\\]|\\.)*"/L/g;
			$rest =~ s/\b([A-Za-z_]\w*)\b/exists $strmacro{$1} ? "L" : $1/ge;
			$rest =~ s/\s+//g;
			next if $rest =~ /^L+$/;
			next if $rest =~ /^!?[A-Za-z_][\w.>-]*\?L+:L+$/;
			if ($rest =~ /^([A-Za-z_]\w*)$/) {
				my $id = $1;
				next if $src =~ /\bconst\s+char\s+(?:\*\s*const\s+)?\Q$id\E\s*(?:\[\s*\])?\s*=\s*"/
				     || $src =~ /#\s*define\s+\Q$id\E\s+"/;
			}
			report($f, $src, $pos, "cm_db_prepare with SQL that is not a constant");
		}
		while ($src =~ /"((?:[^"\\\n]|\\.)*)"/g) {
			my ($lit, $p) = ($1, $-[0]);
			# SQL keywords are written in capitals throughout certmint
			report($f, $src, $p, "SQL built with a printf format")
				if $lit =~ /%[-+ #0-9.]*(?:l|ll|z|j)?[sdiuxXc]/
				&& $lit =~ /\b(?:SELECT\b.*\bFROM|INSERT\s+(?:IGNORE\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO)\b/;
		}
	}
	exit($bad ? 1 : 0);
	' "$@"
}

# ---- the checker catches what it is meant to catch ----
mkdir -p "$T/lib" "$T/cgi"
cat > "$T/cgi/bad.c" <<'EOF'
void a(MYSQL *my, const char *q) { mysql_query(my, q); }
void b(struct cm_db *db, struct cm_buf *buf) { cm_db_prepare(db, buf->data); }
void c(char *q, const char *v) { snprintf(q, 100, "SELECT * FROM admins WHERE principal = '%s'", v); }
void d(struct cm_db *db, const char *t) { cm_db_exec(db, t); }
void e(struct cm_db *db, char *sql) { cm_db_prepare(db,
	sql); }
void f(struct cm_db *db, const char *col) { cm_db_prepare(db, "SELECT " col " FROM admins"); }
EOF
cat > "$T/cgi/good.c" <<'EOF'
static const char SQL_ONE[] = "SELECT 1";
#define SQL_TWO "SELECT 2"
#define ROWS_MAX "50"
#define COLS "SELECT id, principal" \
	" FROM admins"
#define SCOPE \
	" AND customer_id = ?"
/* mysql_query(my, "in a comment is fine") */
void a(struct cm_db *db, int x) {
	cm_db_prepare(db, "SELECT id FROM certificates"
	    " WHERE customer_id = ? AND id < ? ORDER BY id DESC LIMIT 50");
	cm_db_prepare(db, x ? "SELECT GET_LOCK('a', 1)" : "SELECT RELEASE_LOCK('a')");
	cm_db_prepare(db, SQL_ONE);
	cm_db_prepare(db, SQL_TWO);
	cm_db_prepare(db, "SELECT id FROM admins LIMIT " ROWS_MAX);
	cm_db_prepare(db, COLS " WHERE id = ?");
	cm_db_prepare(db, "SELECT id FROM admins WHERE id = ?" SCOPE);
	cm_db_exec(db, "START TRANSACTION");
	cm_err("cannot select %s from the list", "x");
}
EOF
violations=$(scan "$T/cgi/bad.c" "$T/cgi/good.c")
expect_eq "checker flags each planted violation once" "$(printf '%s\n' "$violations" | grep -c .)" 6
expect_match "checker flags mysql_query outside db.c" "$violations" "bad.c:1: mysql_query outside"
expect_match "checker flags SQL from a buffer" "$violations" "bad.c:2: cm_db_prepare with SQL that is not a constant"
expect_match "checker flags SQL built by printf" "$violations" "bad.c:3: SQL built with a printf format"
expect_match "checker flags cm_db_exec with a variable" "$violations" "bad.c:4: cm_db_exec with non-literal"
expect_match "checker flags a variable split over lines" "$violations" "bad.c:5: cm_db_prepare with SQL"
expect_match "checker flags a literal joined with a variable" "$violations" "bad.c:7: cm_db_prepare with SQL"
check_not "checker accepts literals, ternaries and constants" grep -q "good.c" <<< "$violations"
mkdir -p "$T/lib"
printf '%s\n' 'void f(void) {' '	cm_db_exec(db, stmt);' '	cm_db_exec(db, other);' '}' > "$T/lib/migrate.c"
violations=$(scan "$T/lib/migrate.c")
expect_eq "checker lets lib/migrate.c run schema statements in one place only" "$violations" \
	"$T/lib/migrate.c:3: cm_db_exec with non-literal SQL"

# ---- the real sources ----
mapfile -t sources < <(find lib cgi tools -name '*.c' 2>/dev/null | sort)
expect_match "there are sources to check" "${#sources[@]}" "^[1-9]"
violations=$(scan "${sources[@]}")
if [ -z "$violations" ]; then
	ok "every query in lib/ cgi/ tools/ is a prepared constant statement"
else
	fail "every query in lib/ cgi/ tools/ is a prepared constant statement"
	printf '%s\n' "$violations" | sed 's/^/#   /'
fi
expect_eq "lib/db.c sends SQL text only from cm_db_exec" \
	"$(grep -c 'mysql_real_query' lib/db.c)" 1
check "lib/db.c turns automatic reconnection off" grep -q 'MYSQL_OPT_RECONNECT' lib/db.c

# ---- the applied schema (needs the stack's database) ----
if [ -z "$CERTMINT_DB_SOCKET" ]; then
	diag "no stack: schema checks skipped"
	done_testing
	exit $?
fi
tables="schema_migrations customers organizations departments domains domain_delegations admins admin_scopes persons ca_certs certificates sessions audit_log audit_head settings"
for t in $tables; do
	expect_eq "table $t is InnoDB utf8mb4" \
		"$(sql "SELECT ENGINE, LEFT(TABLE_COLLATION, 7) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$t'")" \
		"InnoDB	utf8mb4"
done
expect_eq "001_init is recorded once" "$(sql "SELECT COUNT(*) FROM schema_migrations WHERE version = 1")" 1
expect_eq "every schema file is recorded" \
	"$(sql "SELECT COUNT(*) FROM schema_migrations")" "$(ls schema/ | grep -cE '^[0-9]+_.*\.sql$')"

# index_cols TABLE INDEX: its columns in order, comma-separated
index_cols() {
	sql "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$1' AND INDEX_NAME = '$2'"
}
expect_eq "certificates: keyset index by customer" "$(index_cols certificates certificates_customer)" "customer_id,id"
expect_eq "certificates: keyset index by customer and status" "$(index_cols certificates certificates_customer_status)" "customer_id,status,id"
expect_eq "certificates: expiry index" "$(index_cols certificates certificates_customer_expiry)" "customer_id,not_after,id"
expect_eq "certificates: common name index" "$(index_cols certificates certificates_customer_cn)" "customer_id,common_name,id"
expect_eq "certificates: e-mail index" "$(index_cols certificates certificates_customer_email)" "customer_id,email,id"
expect_eq "certificates: organisation index" "$(index_cols certificates certificates_org)" "org_id,id"
expect_eq "certificates: serial is unique" \
	"$(sql "SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'certificates' AND INDEX_NAME = 'certificates_serial'")" 0
expect_eq "sessions: token hash is unique" "$(index_cols sessions sessions_token)" "token_hash"
expect_eq "audit_head holds exactly one row" "$(sql "SELECT COUNT(*) FROM audit_head")" 1
# the keyset page query the admin list uses must not sort in memory
plan=$(sql "EXPLAIN SELECT id FROM certificates FORCE INDEX (certificates_customer_status) WHERE customer_id = 1 AND status = 'issued' AND id < 9223372036854775807 ORDER BY id DESC LIMIT 50")
check_not "a keyset page by status needs no filesort" grep -q filesort <<< "$plan"

done_testing
