# bench/admin-certs.awk: writes the synthetic certificates bench/admin bulk-loads, as TSV for LOAD DATA.
#
# Input (one line per organisation): customer_id, customer domain, customer
# share (0..1 of all rows), org_id, department ids (comma list, may be empty).
# Variables: rows, parts (files out.0 .. out.<parts-1>), out, now (epoch s),
# issuer (ca_certs id), requester, seed.
# Output columns, \N for NULL: customer_id org_id dept_id issuer_id cert_type
# profile status serial_hex subject_dn common_name sans email key_type key_bits
# not_before(epoch) not_after(epoch) requested_by approved_by revoked_at(epoch)
# revocation_reason created_at(epoch).
# Row i is younger than row i-1 (ids follow time, as in a real install); the
# age follows a growing business (more certificates recently) over 3 years.
# Serials: 96 random bits then the row number, so they are unique by
# construction. SSL rows carry 1 to 3 DNS names (some wildcards), client
# rows their e-mail address, as the SAN text issuance writes; the load's
# triggers turn them into certificate_names (schema/012_cert_names.sql).
# Plain POSIX awk (mawk or gawk).
BEGIN { FS = "\t"; OFS = "\t" }
{
	norg++
	ocust[norg] = $1; odom[norg] = $2; oorg[norg] = $4
	nd[norg] = split($5, tmp, ",")
	for (k = 1; k <= nd[norg]; k++)
		dept[norg, k] = tmp[k]
	if (!($1 in share)) {
		ncust++
		cust[ncust] = $1
		share[$1] = $3
	}
	cnt[$1]++
	corg[$1, cnt[$1]] = norg
}
function pick_org(   u, acc, k, c) {
	u = rand(); acc = 0
	for (k = 1; k <= ncust; k++) {
		c = cust[k]
		acc += share[c]
		if (u < acc || k == ncust)
			return corg[c, 1 + int(rand() * cnt[c])]
	}
}
function hex32() { return sprintf("%08x", int(rand() * 4294967296)) }
END {
	if (norg == 0) { print "admin-certs.awk: no organisations" > "/dev/stderr"; exit 1 }
	srand(seed)
	N = rows + 0
	day = 86400
	for (i = 0; i < N; i++) {
		o = pick_org()
		c = ocust[o]; dom = odom[o]
		d = "\\N"
		if (nd[o] > 0 && rand() < 0.7)
			d = dept[o, 1 + int(rand() * nd[o])]
		# ages from 1095 days (row 0) to 0 (last row), jittered by a day
		age = 1095 * (1 - sqrt(i / N)) * day + rand() * day
		t = rand()
		if (t < 0.6) {
			type = "ssl"; prof = "tls-server"; valid = 397
			# SANs as issued: one name (50%), the name plus www. and an
			# api name (35%), or a wildcard with its base name (15%)
			cn = "host" i "." dom; sans = "DNS:" cn; mail = "\\N"
			w = rand()
			if (w < 0.15) {
				cn = "*.svc" i "." dom; sans = "DNS:" cn ", DNS:svc" i "." dom
			} else if (w < 0.5) {
				sans = sans ", DNS:www.host" i "." dom ", DNS:api" i "." dom
			}
			kt = "ec"; kb = 256
			if (rand() < 0.5) { kt = "rsa"; kb = 2048 }
		} else if (t < 0.9) {
			type = "client"; prof = "client-smime"; valid = 1095
			mail = "user" i "@" dom; cn = "User " i; sans = "email:" mail
			kt = "rsa"; kb = 2048
		} else {
			type = "codesign"; prof = "code-signing"; valid = 1095
			mail = "user" i "@" dom; cn = "Code Signer " i; sans = "\\N"
			kt = "rsa"; kb = 3072
		}
		u = rand()
		nb = int(now - age); na = nb + valid * day
		serial = hex32() hex32() hex32() sprintf("%08x", i)
		rev = "\\N"; reason = "\\N"; appr = requester; created = nb - 60
		if (u < 0.03) {
			# waiting for approval: the newest rows, no certificate yet
			status = "requested"; serial = "\\N"; nb = "\\N"; na = "\\N"; appr = "\\N"
			created = int(now - rand() * 14 * day)
		} else if (u < 0.05) {
			status = "declined"; serial = "\\N"; nb = "\\N"; na = "\\N"; appr = "\\N"
			created = int(now - age)
		} else if (u < 0.12) {
			status = "revoked"
			last = na < now ? na : now
			rev = int(nb + rand() * (last - nb))
			r = rand(); reason = r < 0.4 ? 4 : (r < 0.7 ? 5 : (r < 0.9 ? 3 : 1))
		} else if (na < now) {
			status = "expired"
		} else {
			status = "issued"
		}
		f = out "." int(i * parts / N)
		print c, oorg[o], d, issuer, type, prof, status, serial, "CN=" cn, cn, sans, mail, \
			kt, kb, nb, na, requester, appr, rev, reason, created > f
	}
}
