-- bench/issue-admin.lua: wrk script for bench/issue-admin. Every request is
-- the admin issuance POST (/admin/certificates/new) with a fixed urlencoded
-- body (csrf, csr, profile), the session cookie and HTTP Basic credentials,
-- read from files in $BENCH_ADMIN_DIR (body, cookie, auth). Counts 303s (a
-- certificate was issued) and the other answers by status; done() prints one
-- "result" line for the caller (bench/wrk-count.lua).

-- wrk-count.lua sits next to this script, wherever wrk is started from.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local count = require("wrk-count")

wrk.method = "POST"
wrk.body = count.slurp("body")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "certmint_session=" .. count.slurp("cookie")
wrk.headers["Authorization"] = "Basic " .. count.slurp("auth")

count.count(303)
