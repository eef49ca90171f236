-- wrk script: cycles through a token file; one real credential per request.
--   wrk ... -s bench/load.lua -- MODE FILE OFFSET
-- MODE: header (whoami with X-Session-Token), cookie (whoami with the session cookie),
--       logout (DELETE /self-service/logout/api, one token per request, never reused).
-- Requests are formatted once in init(), so the load generator spends its core on sockets, not on Lua.
local reqs = {}
local idx = 0

local function build(mode, t)
  if mode == "cookie" then
    return wrk.format("GET", "/sessions/whoami", { ["Cookie"] = "ory_kratos_session=" .. t })
  elseif mode == "logout" then
    return wrk.format("DELETE", "/self-service/logout/api", { ["Content-Type"] = "application/json" }, '{"session_token":"' .. t .. '"}')
  end
  return wrk.format("GET", "/sessions/whoami", { ["X-Session-Token"] = t })
end

function init(args)
  local mode = args[1] or "header"
  local offset = tonumber(args[3] or "0") or 0
  local n = 0
  for line in io.lines(args[2]) do
    if #line > 0 then
      n = n + 1
      -- Logout tokens before the offset were spent by an earlier run: skip them.
      if mode ~= "logout" or n > offset then reqs[#reqs + 1] = build(mode, line) end
    end
  end
  if mode ~= "logout" then idx = offset % #reqs end
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1 end
  return reqs[idx]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
