-- Worker commands (core-extras §11): workers.counts, worker.jobs and
-- worker.forget, with the expiry of idle workers.

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

-- workers.counts
--
-- Arguments: none
-- Reply: JSON array of {"name", "jobs", "stalled"}, `[]` when empty.
-- Errors: Config(): "max-worker-age" is not a number: <v>
-- Keys: ql:workers and ql:w:<worker>:jobs (expiry deletes).
Commands['workers.counts'] = function(now, args)
  Worker.expire(now)
  return Json.list(Worker.counts(now))
end

-- worker.jobs
--
-- Arguments: [worker]
-- Reply: JSON {"jobs": [jid...], "stalled": [jid...]}, latest deadline first,
--   each `{}` when empty. Without a worker, the workers.counts array written
--   `{}` when empty.
-- Errors: Config(): "max-worker-age" is not a number: <v>
-- Keys: ql:workers and ql:w:<worker>:jobs (expiry deletes).
Commands['worker.jobs'] = function(now, args)
  Worker.expire(now)
  local worker = args[1]
  if worker == nil then return Json.listOrObject(Worker.counts(now)) end
  local key = Keys.workerJobs(worker)
  return encode({
    jobs = call('zrevrangebyscore', key, now + Worker.HORIZON, now),
    stalled = call('zrevrangebyscore', key, now, 0),
  })
end

-- worker.forget
--
-- Arguments: worker... (one or more)
-- Reply: nil. The workers' job sets are kept.
-- Errors: Forget(): Arg "worker" missing
-- Keys: ql:workers
Commands['worker.forget'] = function(now, args)
  Args.require(args[1], 'Forget(): Arg "worker" missing')
  Args.chunked('zrem', Keys.WORKERS, args)
  return nil
end
