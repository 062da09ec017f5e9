-- bench/admin.lua: wrk script for bench/admin. Every request is a GET of the
-- URL given to wrk with the session cookie(s) and, without a gssapi_session
-- cookie, HTTP Basic credentials read from files in $BENCH_ADMIN_DIR
-- (cookie, gssapi, auth). Counts 200s and the other
-- answers by status; done() prints one "result" line for the caller.

local dir = assert(os.getenv("BENCH_ADMIN_DIR"), "BENCH_ADMIN_DIR not set")

local function slurp(name)
	local f = assert(io.open(dir .. "/" .. name, "rb"))
	local s = f:read("*a")
	f:close()
	return (s:gsub("%s+$", ""))
end

wrk.method = "GET"
-- With mod_auth_gssapi's session cookie (file gssapi not empty) no
-- Authorization header: a request carrying Basic is re-checked at the KDC.
local gssapi = slurp("gssapi")
if gssapi ~= "" then
	wrk.headers["Cookie"] = "certmint_session=" .. slurp("cookie") .. "; gssapi_session=" .. gssapi
else
	wrk.headers["Cookie"] = "certmint_session=" .. slurp("cookie")
	wrk.headers["Authorization"] = "Basic " .. slurp("auth")
end

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	ok = 0       -- 200 OK
	other = 0    -- any other status
	codes = {}   -- status -> count of the other answers
end

function response(status, headers, body)
	if status == 200 then
		ok = ok + 1
	else
		other = other + 1
		codes[status] = (codes[status] or 0) + 1
	end
end

function done(summary, latency, requests)
	local ok_n, other_n, by_status = 0, 0, {}
	for _, t in ipairs(threads) do
		ok_n = ok_n + t:get("ok")
		other_n = other_n + t:get("other")
		for s, n in pairs(t:get("codes")) do
			by_status[s] = (by_status[s] or 0) + n
		end
	end
	local codes_s = ""
	for s, n in pairs(by_status) do
		codes_s = codes_s .. "," .. s .. "x" .. n
	end
	local e = summary.errors
	io.write(string.format(
		"result ok=%d other=%d requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d" ..
		" p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f codes=%s\n",
		ok_n, other_n, summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
		latency.max / 1000, codes_s == "" and "-" or codes_s:sub(2)))
end
