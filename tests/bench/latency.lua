-- wrk script: one request, then p50/p95/p99 and counts as one line.
local hdr = os.getenv("BENCH_AUTH")
if hdr and hdr ~= "" then wrk.headers["Authorization"] = hdr end
wrk.headers["Accept"] = os.getenv("BENCH_ACCEPT") or "application/json"

done = function(summary, latency, requests)
	local errors = summary.errors.connect + summary.errors.read + summary.errors.write
		+ summary.errors.status + summary.errors.timeout
	io.write(string.format("RESULT requests=%d errors=%d p50=%.1f p95=%.1f p99=%.1f rps=%.0f\n",
		summary.requests, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
		latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
