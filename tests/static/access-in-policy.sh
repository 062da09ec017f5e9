#!/bin/bash
# access-in-policy.sh: fails if a template compares User.role, a C file outside cgi/admin/policy.c compares a role with MRAO/RAO/DRAO, or scope SQL is written outside policy.h: access is decided in one place. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1

# A comparison of the role variable in a ClearSilver expression, either side.
TPL_RE='User\.role[[:space:]]*(==|!=|<|>|<=|>=)|(==|!=|<|>|<=|>=)[[:space:]]*User\.role|(if|elif)[[:space:]]*:[[:space:]]*!?[[:space:]]*User\.role[[:space:]]*\?>'
# A role compared with a named role in C (ROLE_NONE, "no administrator", is the login's).
C_RE='role[[:space:]]*(==|!=|<|>|<=|>=)[[:space:]]*ROLE_(MRAO|RAO|DRAO)\b|\bROLE_(MRAO|RAO|DRAO)[[:space:]]*(==|!=|<|>|<=|>=)'

shopt -s nullglob globstar
templates=(templates/**/*.cs)
if [ ${#templates[@]} -gt 0 ]; then ok "found ${#templates[@]} templates"; else fail "no templates under templates/"; fi
bad=$(grep -nE "$TPL_RE" "${templates[@]}" /dev/null)
if [ -z "$bad" ]; then
	ok "no template compares User.role (they test booleans set by the policy)"
else
	fail "templates compare User.role; set a boolean from cgi/admin/policy.c instead"
	printf '%s\n' "$bad" | sed 's/^/#   /'
fi

sources=(cgi/**/*.c cgi/**/*.h)
bad=$(grep -nE "$C_RE" "${sources[@]}" /dev/null | grep -v '^cgi/admin/policy\.c:')
if [ -z "$bad" ]; then
	ok "no C file outside cgi/admin/policy.c compares roles"
else
	fail "roles compared outside cgi/admin/policy.c; ask a policy predicate instead"
	printf '%s\n' "$bad" | sed 's/^/#   /'
fi

# The scope as SQL is written once, in policy.h's pieces; only the
# administrators' own model reads and writes other administrators' rows.
bad=$(grep -nE '"[^"]*admin_scopes' "${sources[@]}" /dev/null |
	grep -vE '^cgi/admin/(policy\.[ch]|admins_model\.c):')
if [ -z "$bad" ]; then
	ok "scope SQL comes only from cgi/admin/policy.h's named pieces"
else
	fail "admin_scopes SQL written outside cgi/admin/policy.{c,h}; use an ADMIN_*_SCOPE_SQL piece"
	printf '%s\n' "$bad" | sed 's/^/#   /'
fi

# Self-test: the patterns catch what they are meant to, and pass what they must.
for t in '<?cs if:User.role == "MRAO" ?>' '<?cs if:"RAO" != User.role ?>' '<?cs if:User.role ?>'; do
	if grep -qE "$TPL_RE" <<< "$t"; then ok "the template pattern catches: $t"; else fail "the template pattern misses: $t"; fi
done
for t in '<span class="role"><?cs var:User.role ?></span>' '<?cs if:Nav.ad_servers ?>'; do
	if grep -qE "$TPL_RE" <<< "$t"; then fail "the template pattern flags: $t"; else ok "the template pattern passes: $t"; fi
done
for t in 'if (c->user.role == ROLE_MRAO)' 'if (u->role >= ROLE_RAO)' 'ROLE_DRAO != c->user.role'; do
	if grep -qE "$C_RE" <<< "$t"; then ok "the C pattern catches: $t"; else fail "the C pattern misses: $t"; fi
done
for t in 'rc = u->role == ROLE_NONE ? 0 : 1;' 'case ROLE_MRAO: return "MRAO";'; do
	if grep -qE "$C_RE" <<< "$t"; then fail "the C pattern flags: $t"; else ok "the C pattern passes: $t"; fi
done
done_testing
