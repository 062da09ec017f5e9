# bench/: benchmarks (not tests). bench/issue drives signerd with bench/signer-load (bench/ocsp
# issues its certificates with it too),
# then bench/issue-admin drives the admin issuance POST with wrk (bench/issue-admin.lua).
noinst_PROGRAMS += bench/signer-load
bench_signer_load_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
bench_signer_load_SOURCES = bench/signer-load.c lib/signer_client.c
bench_signer_load_LDADD = lib/libcmcore.a $(OPENSSL_LIBS) $(PTHREAD_LIBS)
EXTRA_DIST += bench/issue bench/issue-admin bench/issue-admin.lua
# bench/admin: admin page latency over 1,000,000 loaded certificates (wrk) + EXPLAIN plans.
EXTRA_DIST += bench/admin bench/admin.lua bench/admin-certs.awk
# The wrk response counting both .lua scripts require.
EXTRA_DIST += bench/wrk-count.lua bench/persons-import
EXTRA_DIST += bench/crl
# bench/ocsp: certmint /ocsp against openssl ocsp (ab, wrk) over 100,000 issued certificates.
EXTRA_DIST += bench/ocsp
# bench/scep: scep.fcgi against micromdm scepserver (wrk over pre-built unique requests, bench/scep.lua).
EXTRA_DIST += bench/scep bench/scep.lua
EXTRA_DIST += bench/autoenroll
