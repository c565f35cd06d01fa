-- job.fail / job.retry / job.timeout

local FAIL_FIELDS = {
  'state', 'worker', 'queue', 'throttles', 'history', 'unique', 'spawned_from_jid', 'waiters',
  'batch',
}

-- job.fail
--
-- Arguments: jid, worker, group, message [, data]
-- Reply: the jid.
-- Errors: Job(): no jid provided; Fail(): Arg "worker"/"group"/"message" missing;
--   Fail(): Arg "data" not JSON: <v>; Fail(): Job does not exist;
--   Fail(): Job not currently running: <state>;
--   Fail(): Job running with another worker: <worker>
-- Events: ql:log failed, then ql:failed (tracked).
-- Keys: job hash and history; queue sets; throttles; stats; worker set;
--   ql:failures and ql:f:<group>; its unique key.
Commands['job.fail'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local worker = Args.require(args[2], 'Fail(): Arg "worker" missing')
  local group = Args.require(args[3], 'Fail(): Arg "group" missing')
  local message = Args.require(args[4], 'Fail(): Arg "message" missing')
  local data = args[5]
  if data ~= nil then data = encode(Args.json(data, 'Fail(): Arg "data" not JSON: ')) end
  local job = Job.read(jid, FAIL_FIELDS)
  if job == nil then error('Fail(): Job does not exist') end
  if job.state ~= 'running' then error('Fail(): Job not currently running: ' .. job.state) end
  if job.worker ~= worker then
    error('Fail(): Job running with another worker: ' .. tostring(job.worker))
  end
  local tids = Throttle.checked(job.throttles)
  local historyLimit = Config.getNumber('max-job-history')

  Job.migrate(jid, job)
  Events.failed(jid, group, message, worker)
  Events.tracked('failed', jid, Events.isTracked(jid))
  call('zrem', Keys.workerJobs(worker), jid)
  History.append(jid, floor(now), 'failed', { worker = worker, group = group }, historyLimit)
  Stats.failure(job.queue or '', now)
  if job.queue then Queue.removeRunning(job.queue, jid) end
  local key = Keys.job(jid)
  if data ~= nil then call('hset', key, 'data', data) end
  call('hset', key, 'state', 'failed', 'worker', '', 'expires', '',
    'failure', Job.failure(group, message, floor(now), worker))
  Throttle.releaseAll(jid, tids, now)
  Job.listFailure(jid, group)
  if job.unique then Unique.release(jid, job) end
  if job.spawned_from_jid then Recurring.ended(jid, job.spawned_from_jid, now) end
  if job.waiters or job.batch then Job.finished(jid, job, 'failed', now) end
  return jid
end

-- job.retry
--
-- Arguments: jid, queue, worker [, delay [, group [, message]]]
--   (the job goes back to its own queue; `queue` names an exhausted retry's group)
-- Reply: integer, the remaining retries after the decrement (negative: failed).
-- Errors: Job(): no jid provided; Retry(): Arg "queue_name"/"worker" missing;
--   Retry(): Arg "delay" not a number: <v>; Retry(): Job does not exist;
--   Retry(): Job is not currently running: <state>;
--   Retry(): Job has been given to another worker: <worker>
-- Events: none.
-- Keys: job hash and history; the job's locks set and its work or scheduled
--   set; throttles; worker set; failure lists; stats; its unique key (when
--   the job fails).
Commands['job.retry'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local queue = Args.require(args[2], 'Retry(): Arg "queue_name" missing')
  local worker = Args.require(args[3], 'Retry(): Arg "worker" missing')
  local delay = Args.optionalFinite(args[4], 0, 'Retry(): Arg "delay" not a number: ')
  local group, message = args[5], args[6]
  local job = Job.read(jid, {
    'state', 'worker', 'queue', 'throttles', 'remaining', 'priority', 'history', 'unique',
    'spawned_from_jid', 'group', 'waiters', 'batch',
  })
  if job == nil then error('Retry(): Job does not exist') end
  if job.state ~= 'running' then error('Retry(): Job is not currently running: ' .. job.state) end
  if job.worker ~= worker then
    error('Retry(): Job has been given to another worker: ' .. tostring(job.worker))
  end
  local tids = Throttle.checked(job.throttles)
  local historyLimit = Config.getNumber('max-job-history')

  local key = Keys.job(jid)
  local remaining = (tonumber(job.remaining) or 0) - 1
  call('hset', key, 'remaining', remaining)
  call('hdel', key, 'grace')
  call('zrem', Keys.queue(job.queue or '', 'locks'), jid)
  Throttle.releaseAll(jid, tids, now)
  call('zrem', Keys.workerJobs(worker), jid)
  -- The job goes back to its own queue, whatever the argument says: put "into"
  -- another one, it was listed where its record does not say and ran again
  -- after it completed (core-decisions.md). The argument still names the
  -- failure group and the stats of an exhausted retry, as specified.
  local home = job.queue or queue
  if remaining < 0 then
    Job.migrate(jid, job)
    local failGroup = group or ('failed-retries-' .. queue)
    History.append(jid, floor(now), 'failed-retries', { group = failGroup }, historyLimit)
    local failure
    if group and message then
      failure = Job.failure(group, message, floor(now), worker)
    else
      failure = Job.failure(failGroup,
        'Job exhausted retries in queue "' .. (job.queue or '') .. '"', now, '')
    end
    call('hset', key, 'state', 'failed', 'worker', '', 'expires', '', 'failure', failure)
    Job.listFailure(jid, failGroup)
    Stats.failure(queue, now)
    if job.unique then Unique.release(jid, job) end
    if job.spawned_from_jid then Recurring.ended(jid, job.spawned_from_jid, now) end
    if job.waiters or job.batch then Job.finished(jid, job, 'failed', now) end
  else
    if delay > 0 then
      Queue.schedule(home, jid, now + delay)
      call('hset', key, 'state', 'scheduled')
    else
      Queue.makeReady(home, jid, tonumber(job.priority) or 0, now, job.group)
      call('hset', key, 'state', 'waiting')
    end
    if group and message then
      call('hset', key, 'failure', Job.failure(group, message, floor(now), worker))
    end
  end
  return floor(remaining)
end

-- job.timeout
--
-- Arguments: jid...
-- Reply: nil.
-- Errors: Timeout(): Job <jid> not running (every jid is checked before any changes).
-- Events: lock_lost to each job's worker, then on ql:log.
-- Keys: job hash and history; the queue's locks and work sets; throttles.
Commands['job.timeout'] = function(now, args)
  local jobs, seen = {}, {}
  for i, jid in ipairs(args) do
    local job = Job.read(jid, { 'state', 'worker', 'queue', 'throttles', 'history' })
    -- A jid named twice is no longer running by the time its second turn comes.
    if job == nil or job.state ~= 'running' or seen[jid] then
      error('Timeout(): Job ' .. jid .. ' not running')
    end
    seen[jid] = true
    job.tids = Throttle.checked(job.throttles)
    jobs[i] = job
  end
  if #args == 0 then return nil end
  local historyLimit = Config.getNumber('max-job-history')
  for i, jid in ipairs(args) do
    local job = jobs[i]
    local queue = job.queue or ''
    Job.migrate(jid, job)
    History.append(jid, floor(now), 'timed-out', nil, historyLimit)
    call('zrem', Keys.queue(queue, 'locks'), jid)
    Throttle.releaseAll(jid, job.tids, now)
    call('zadd', Keys.queue(queue, 'work'), '+inf', jid)
    call('hset', Keys.job(jid), 'state', 'stalled', 'expires', 0, 'worker', '')
    Events.lockLost(jid, job.worker or '')
  end
  return nil
end
