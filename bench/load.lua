-- wrk script: cycles through a token file; one real credential per request.
--   wrk ... -s bench/load.lua -- MODE FILE OFFSET
-- MODE: header (whoami with X-Session-Token), cookie (whoami with the session cookie),
--       logout (DELETE /self-service/logout/api, one token per request, never reused).
local tokens = {}
local idx = 0
local mode = "header"

function init(args)
  mode = args[1] or "header"
  for line in io.lines(args[2]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  idx = tonumber(args[3] or "0") or 0
end

function request()
  idx = idx + 1
  if idx > #tokens then idx = 1 end
  local t = tokens[idx]
  if mode == "cookie" then
    return wrk.format("GET", "/sessions/whoami", { ["Cookie"] = "ory_kratos_session=" .. t })
  elseif mode == "logout" then
    return wrk.format("DELETE", "/self-service/logout/api", { ["Content-Type"] = "application/json" }, '{"session_token":"' .. t .. '"}')
  end
  return wrk.format("GET", "/sessions/whoami", { ["X-Session-Token"] = t })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
