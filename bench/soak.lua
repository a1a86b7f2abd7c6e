-- wrk script for bench/soak.py: one request in four creates a note, the rest read one.
-- Counts 201s (acknowledged writes) and other non-2xx answers per thread.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  bad = 0
  n = 0
end

function request()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("POST", "/notes", {["Content-Type"] = "application/json"},
      '{"title": "soak ' .. n .. '", "body": "written under load"}')
  end
  return wrk.format("GET", "/notes/1")
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_created, total_bad = 0, 0
  for _, thread in ipairs(threads) do
    total_created = total_created + thread:get("created")
    total_bad = total_bad + thread:get("bad")
  end
  io.write(string.format("SOAK created=%d bad=%d\n", total_created, total_bad))
end
