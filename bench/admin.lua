-- bench/admin.lua: wrk script for bench/admin. Every request is a GET of the
-- URL given to wrk with the session cookie(s) and, without a gssapi_session
-- cookie, HTTP Basic credentials read from files in $BENCH_ADMIN_DIR
-- (cookie, gssapi, auth). Counts 200s and the other answers by status;
-- done() prints one "result" line for the caller (bench/wrk-count.lua).

-- wrk-count.lua sits next to this script, wherever wrk is started from.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local count = require("wrk-count")

wrk.method = "GET"
-- With mod_auth_gssapi's session cookie (file gssapi not empty) no
-- Authorization header: a request carrying Basic is re-checked at the KDC.
local gssapi = count.slurp("gssapi")
if gssapi ~= "" then
	wrk.headers["Cookie"] = "certmint_session=" .. count.slurp("cookie") .. "; gssapi_session=" .. gssapi
else
	wrk.headers["Cookie"] = "certmint_session=" .. count.slurp("cookie")
	wrk.headers["Authorization"] = "Basic " .. count.slurp("auth")
end

count.count(200)
