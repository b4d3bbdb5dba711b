-- Heartbeats without metadata over the sessions that seed.py started (one per subject), round robin.
-- Each thread starts at another offset, so that the threads spread over the sessions.
-- Numbered by setup(), which sets this global in each thread (a local here would hide it).
thread_id = 0
local threads = 0
local paths = {}
local next_index = 1

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  next_index = (thread_id * 7919) % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("POST", path, { ["Authorization"] = "Basic ZGVtby1hcHA6" })
end
