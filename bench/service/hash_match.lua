-- wrk script: POST /v1/hash?match=1 with the bytes of VIGIL_IMAGE (a JPEG), bearer
-- VIGIL_TOKEN: hash (sha256, md5, PDQ) and match against the banks, one request an item.
local token = os.getenv("VIGIL_TOKEN")
local f = assert(io.open(os.getenv("VIGIL_IMAGE"), "rb"))
local body = f:read("*a")
f:close()
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "image/jpeg"}
request = function()
  return wrk.format("POST", "/v1/hash?match=1", headers, body)
end
