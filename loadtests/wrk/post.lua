-- POST the same JSON body with a fresh Idempotency-Key per request.
-- env: WRK_PATH, WRK_BODY, WRK_TOKEN (optional), WRK_KEY_PREFIX
local path = os.getenv("WRK_PATH") or "/v1/orders"
local body = os.getenv("WRK_BODY") or "{}"
local token = os.getenv("WRK_TOKEN")
-- Keys must be new on every run, or the edge answers replays: seed from the clock and a run prefix.
math.randomseed(os.time())
local prefix = (os.getenv("WRK_KEY_PREFIX") or "wrk") .. "-" .. os.time() .. "-" .. tostring(math.random(1, 1e9))
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token then
  wrk.headers["Authorization"] = "Bearer " .. token
end

request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format(nil, path, nil, body)
end
