-- wrk script: POSTs one record (the file BODY_FILE names) to /v1/predict on every request, and at the end prints one
-- JSON line with requests/s, p50 and p99 latency (ms), and the non-2xx and socket error counts. METHOD and URL_PATH
-- (default POST and /v1/predict) send it elsewhere: METHOD=GET URL_PATH=/healthz asks for /healthz without a body.
local path = os.getenv("BODY_FILE") or error("set BODY_FILE to the JSON record to POST")
local file = io.open(path, "rb") or error("cannot open BODY_FILE " .. path)
wrk.method = os.getenv("METHOD") or "POST"
wrk.path = os.getenv("URL_PATH") or "/v1/predict"
if wrk.method == "POST" then
  wrk.body = file:read("*a")
  wrk.headers["Content-Type"] = "application/json"
end
file:close()

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
end
