-- bench/scep.lua: wrk script for bench/scep: POSTs each pre-built pkiMessage in $BENCH_SCEP_DIR
-- (NNNNNN.msg, counted in index.tsv) once, the wrk threads ($BENCH_SCEP_THREADS) taking their share, and counts the
-- answers (200 with a body vs anything else) for one "answers OK not-200 BAD" line when wrk is done.

local dir = assert(os.getenv("BENCH_SCEP_DIR"), "BENCH_SCEP_DIR not set")
local stride = tonumber(os.getenv("BENCH_SCEP_THREADS") or "2")
local threads = {}
local nthreads = 0

function setup(thread)
	thread:set("tid", nthreads)
	nthreads = nthreads + 1
	table.insert(threads, thread)
end

function init(args)
	ok = 0
	other = 0
	local n = 0
	for _ in io.lines(dir .. "/index.tsv") do n = n + 1 end
	total = n
	-- This thread's share: tid, tid + stride, ... (stride = wrk -t).
	bodies = {}
	for i = tid, n - 1, stride do
		local f = assert(io.open(string.format("%s/%06d.msg", dir, i), "rb"))
		bodies[#bodies + 1] = f:read("*a")
		f:close()
	end
	k = 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/x-pki-message"
end

function request()
	-- Past the last request the run is too long for the requests built: replay
	-- from the start (answered from the transaction, counted apart by bench/scep).
	k = k % #bodies + 1
	return wrk.format(nil, nil, nil, bodies[k])
end

function response(status, headers, body)
	if status == 200 and body ~= nil and #body > 0 then
		ok = ok + 1
	else
		other = other + 1
	end
end

function done(summary, latency, requests)
	local ok_n, other_n = 0, 0
	for _, t in ipairs(threads) do
		ok_n = ok_n + t:get("ok")
		other_n = other_n + t:get("other")
	end
	io.write(string.format("answers %d not-200 %d\n", ok_n, other_n))
end
