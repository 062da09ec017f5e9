-- bench/wrk-count.lua: what bench/admin.lua and bench/issue-admin.lua share
-- (loaded with require): reading the request's parts from files in
-- $BENCH_ADMIN_DIR, counting the answers by status in every wrk thread, and
-- printing one "result" line for the calling shell script when wrk is done.

local M = {}

local dir = assert(os.getenv("BENCH_ADMIN_DIR"), "BENCH_ADMIN_DIR not set")

-- slurp(NAME): the content of $BENCH_ADMIN_DIR/NAME without trailing white space.
function M.slurp(name)
	local f = assert(io.open(dir .. "/" .. name, "rb"))
	local s = f:read("*a")
	f:close()
	return (s:gsub("%s+$", ""))
end

-- count(WANT): defines wrk's setup, init, response and done so that answers
-- with status WANT count as ok, every other one by its status. wrk runs the
-- script in each thread's Lua state, so the counters are per thread; done()
-- (in the main state) adds them up.
function M.count(want)
	local threads = {}

	function setup(thread)
		table.insert(threads, thread)
	end

	function init(args)
		ok = 0       -- answers with status WANT
		other = 0    -- any other status
		codes = {}   -- status -> count of the other answers
	end

	function response(status, headers, body)
		if status == want then
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
end

return M
