-- The load of `benchmarks.intake` for wrk: one signed orders/create body, each request with its
-- own X-Shopify-Webhook-Id and X-Shopify-Event-Id (distinct events, as a burst of orders is).
--
-- Environment (the benchmark sets it):
--   INTAKE_BODY_FILE   the exact body bytes
--   INTAKE_HMAC        base64 HMAC-SHA256 of the body with the secret
--   INTAKE_SHOP        the shop domain
--   INTAKE_RUN_ID      a prefix that keeps ids unique across runs
--
-- Every answer is looked at the same way whoever answers: `accepted` counts the 200 answers whose
-- body says "accepted" (the app's answer to a delivery it recorded).

local function slurp(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local data = f:read("*a")
  f:close()
  return data
end

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
  table.insert(threads, thread)
end

local body, headers, prefix
local counter = 0
accepted = 0

function init(args)
  body = slurp(assert(os.getenv("INTAKE_BODY_FILE"), "INTAKE_BODY_FILE not set"))
  prefix = (os.getenv("INTAKE_RUN_ID") or tostring(os.time())) .. "-" .. tostring(thread_id) .. "-"
  headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = "orders/create",
    ["X-Shopify-Hmac-Sha256"] = assert(os.getenv("INTAKE_HMAC"), "INTAKE_HMAC not set"),
    ["X-Shopify-Shop-Domain"] = assert(os.getenv("INTAKE_SHOP"), "INTAKE_SHOP not set"),
    ["X-Shopify-API-Version"] = "2026-10",
    ["X-Shopify-Triggered-At"] = os.date("!%Y-%m-%dT%H:%M:%S.000Z"),
  }
end

function request()
  counter = counter + 1
  local id = prefix .. counter
  headers["X-Shopify-Webhook-Id"] = id
  headers["X-Shopify-Event-Id"] = "ev-" .. id
  return wrk.format("POST", "/webhooks", headers, body)
end

function response(status, headers, body)
  if status == 200 and body:find('"accepted"', 1, true) then
    accepted = accepted + 1
  end
end

function done(summary, latency, requests)
  local taken = 0
  for _, thread in ipairs(threads) do
    taken = taken + thread:get("accepted")
  end
  local e = summary.errors
  io.write(string.format(
    'INTAKE_JSON {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,' ..
    '"socket_errors":%d,"accepted":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout, taken))
end
