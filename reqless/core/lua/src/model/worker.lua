-- Worker registry: idle-worker expiry and per-worker job counts (docs/concepts.md, Workers).

-- Jobs whose deadline lies more than this far ahead (100 days) are not counted.
Worker.HORIZON = 8640000

-- Forget workers whose last pop is in [0, now - max-worker-age], together with
-- their job sets. Workers with a negative score are never expired.
function Worker.expire(now)
  local age = Config.getNumber('max-worker-age')
  local idle = call('zrangebyscore', Keys.WORKERS, 0, now - age)
  if #idle == 0 then return end
  for _, worker in ipairs(idle) do call('del', Keys.workerJobs(worker)) end
  Args.chunked('zrem', Keys.WORKERS, idle)
end

-- One object per worker, most recently active first (ties by name, descending).
function Worker.counts(now)
  local out = {}
  for _, worker in ipairs(call('zrevrange', Keys.WORKERS, 0, -1)) do
    local key = Keys.workerJobs(worker)
    table.insert(out, {
      name = worker,
      jobs = call('zcount', key, now, now + Worker.HORIZON),
      stalled = call('zcount', key, 0, now),
    })
  end
  return out
end
