-- Worker commands (docs/concepts.md, Workers): workers.counts, worker.jobs and
-- worker.forget, with the expiry of idle workers.

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
