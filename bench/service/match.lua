-- wrk script: POST /v1/match with a batch of VIGIL_BATCH PDQ hashes taken in turn from
-- VIGIL_QUERIES (one hex per line, from service_bench_bank), bearer VIGIL_TOKEN.
local token = os.getenv("VIGIL_TOKEN")
local batch = tonumber(os.getenv("VIGIL_BATCH") or "1")
local queries = {}
for line in io.lines(os.getenv("VIGIL_QUERIES")) do queries[#queries + 1] = line end
local bodies = {}
for i = 0, 1999 do
  local parts = {}
  for j = 1, batch do
    parts[j] = '{"type":"pdq","value":"' .. queries[((i * batch + j - 1) % #queries) + 1] .. '"}'
  end
  bodies[i + 1] = '{"signals":[' .. table.concat(parts, ",") .. ']}'
end
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local n = math.random(#bodies)
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "/v1/match", headers, bodies[n])
end
