-- Session starts of demo-app (no required metadata), each for a subject never seen: a new hash each
-- time. The script's argument prefixes the subjects, so that two runs never share one.
-- Numbered by setup(), which sets this global in each thread (a local here would hide it).
thread_id = 0
local threads = 0
local prefix = ""
local counter = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  prefix = args[1] or ""
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/v2/sessions/idp/" .. prefix .. "-" .. thread_id .. "-" .. counter, {
    ["Authorization"] = "Basic ZGVtby1hcHA6"
  })
end
