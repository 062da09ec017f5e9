#!/bin/bash
# templates-escape.sh: fails if a template uses a ClearSilver construct that skips HTML escaping,
# or if lib/render.c stops setting Config.VarEscapeMode=html before cs_init. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"

shopt -s nullglob globstar
templates=("$ROOT"/templates/**/*.cs)
if [ ${#templates[@]} -gt 0 ]; then ok "found ${#templates[@]} templates"; else fail "no templates under templates/"; fi

# In ClearSilver 0.10.5 with VarEscapeMode=html only var: escapes; these do not.
for t in "${templates[@]}"; do
	rel=${t#"$ROOT"/}
	bad=$(grep -nE '<\?cs[[:space:]]+(alt|name|uvar|lvar|evar)[[:space:]]*:' "$t")
	bad+=$(grep -nE "escape[[:space:]]*:[[:space:]]*[\"']none[\"']" "$t")
	bad+=$(grep -nE 'Config\.(VarEscapeMode|DebugEnabled)' "$t")
	# set: into Config.* from a template would switch escaping off.
	bad+=$(grep -nE '<\?cs[[:space:]]+set[[:space:]]*:[[:space:]]*Config\.' "$t")
	if [ -z "$bad" ]; then
		ok "$rel uses only escaping output"
	else
		fail "$rel uses a non-escaping construct"
		printf '%s\n' "$bad" | sed 's/^/#   /'
	fi
done

# The rule itself: render.c sets the mode to html, and before cs_init.
R=$ROOT/lib/render.c
set_line=$(grep -n '"Config.VarEscapeMode", "html"' "$R" | head -n 1 | cut -d: -f1)
init_line=$(grep -n 'cs_init(&' "$R" | head -n 1 | cut -d: -f1)
if [ -n "$set_line" ]; then ok "render.c sets Config.VarEscapeMode=html"; else fail "render.c does not set Config.VarEscapeMode=html"; fi
if [ -n "$set_line" ] && [ -n "$init_line" ] && [ "$set_line" -lt "$init_line" ]; then
	ok "render.c sets the escape mode (line $set_line) before cs_init (line $init_line)"
else
	fail "render.c must set Config.VarEscapeMode before cs_init (set: ${set_line:-none}, cs_init: ${init_line:-none})"
fi
if grep -q 'cgi_register_strfuncs' "$R"; then ok "render.c registers the string functions"; else fail "render.c does not call cgi_register_strfuncs"; fi
if grep -q 'DebugEnabled' "$R"; then fail "render.c mentions Config.DebugEnabled"; else ok "render.c never enables Config.DebugEnabled"; fi

# Self-test: the check above must catch a bad template.
tmp=$(mktemp -d)
printf '<p><?cs alt:x ?>y<?cs /alt ?></p>\n<?cs uvar:Form.csr ?>\n<?cs var:html_escape(a) ?>\n' > "$tmp/bad.cs"
if grep -qE '<\?cs[[:space:]]+(alt|name|uvar|lvar|evar)[[:space:]]*:' "$tmp/bad.cs"; then ok "the pattern catches alt:/uvar:"; else fail "the pattern misses alt:/uvar:"; fi
rm -rf "$tmp"
done_testing
