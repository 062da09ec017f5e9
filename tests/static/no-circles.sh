#!/bin/bash
# no-circles.sh: fails when source files call each other in a circle (a.c uses b.c and b.c uses a.c,
# or longer), read from the symbols of the plain build's objects (nm): within lib/, signer/, tools/
# and each program, and from any of them into lib/. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
B=${CERTMINT_BUILD:-$ROOT/_build/plain}

# circles OBJ...: prints each circle as "a.o b.o ..." (objects that reach each other).
circles() {
	for o in "$@"; do nm "$o" 2>/dev/null | sed "s|^|$o |"; done | perl -e '
		my (%def, %und, %objs);
		while (<STDIN>) {
			my @f = split;
			$objs{$f[0]} = 1;
			if (@f == 4 && $f[2] =~ /^[TDBR]$/) { $def{$f[3]}{$f[0]} = 1 }
			elsif (@f == 3 && $f[1] eq "U") { push @{$und{$f[0]}}, $f[2] }
		}
		sub area { my ($o) = @_; $o =~ m{^.*?/(lib|signer|tools|cgi/[^/]+)/[^/]+$} ? $1 : "" }
		my %edge;
		for my $o (keys %und) {
			for my $s (@{$und{$o}}) {
				for my $g (keys %{$def{$s} || {}}) {
					next if $g eq $o;
					$edge{$o}{$g} = 1 if area($g) eq area($o) || area($g) eq "lib";
				}
			}
		}
		# Tarjan: strongly connected components of more than one object.
		my ($i, %idx, %low, @st, %on) = (0);
		my $sc; $sc = sub {
			my ($v) = @_;
			$idx{$v} = $low{$v} = $i++; push @st, $v; $on{$v} = 1;
			for my $w (keys %{$edge{$v} || {}}) {
				if (!exists $idx{$w}) { $sc->($w); $low{$v} = $low{$w} if $low{$w} < $low{$v} }
				elsif ($on{$w}) { $low{$v} = $idx{$w} if $idx{$w} < $low{$v} }
			}
			if ($low{$v} == $idx{$v}) {
				my @c; my $w;
				do { $w = pop @st; delete $on{$w}; push @c, $w } while ($w ne $v);
				print join(" ", sort @c), "\n" if @c > 1;
			}
		};
		for my $v (sort keys %objs) { $sc->($v) unless exists $idx{$v} }
	'
}

shopt -s nullglob
objs=("$B"/lib/*.o "$B"/signer/*.o "$B"/tools/*.o "$B"/cgi/*/*.o)
if [ ${#objs[@]} -gt 50 ]; then ok "found ${#objs[@]} objects in $B"; else fail "only ${#objs[@]} objects in $B (build first)"; fi
found=$(circles "${objs[@]}")
if [ -z "$found" ]; then
	ok "no source files call each other in a circle"
else
	fail "source files that call each other in a circle"
	printf '%s\n' "$found" | sed "s|$B/||g; s|^|#   |"
fi

# Self-test: two objects that use each other are one circle; a one-way use is none.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cgi/x"
printf 'int b(void); int a(void) { return b(); }\n' > "$tmp/a.c"
printf 'int a(void); int b(void) { return a(); }\n' > "$tmp/b.c"
printf 'int a(void); int c(void) { return a(); }\n' > "$tmp/c.c"
for f in a b c; do cc -c -o "$tmp/cgi/x/$f.o" "$tmp/$f.c" || fail "self-test: cc"; done
expect_eq "self-test: a mutual call is a circle, a one-way call is not" \
	"$(circles "$tmp"/cgi/x/*.o | sed "s|$tmp/cgi/x/||g")" "a.o b.o"
done_testing
