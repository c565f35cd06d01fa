-- job.complete / job.completeAndRequeue

local COMPLETE_FIELDS = {
  'state', 'worker', 'queue', 'throttles', 'time', 'retries', 'priority', 'history', 'unique',
  'spawned_from_jid', 'waiters', 'batch',
}

-- Shared validation (docs/core-commands.md, job.complete); returns the job's fields.
local function parseComplete(args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local worker = Args.require(args[2], 'Complete(): Arg "worker" missing')
  local queue = Args.require(args[3], 'Complete(): Arg "queue_name" missing')
  Args.json(args[4], 'Complete(): Arg "data" missing or not JSON: ')
  return jid, worker, queue, args[4]
end

-- A job's result (docs/following-jobs.md): JSON text of at most
-- `max-result-size` bytes (Job.RESULT_LIMIT unless set); nil when not given.
local function parseResult(text)
  if text == nil then return nil end
  Args.json(text, 'Complete(): Arg "result" not JSON: ')
  local limit = tonumber(Config.get('max-result-size')) or Job.RESULT_LIMIT
  if #text > limit then
    error('Complete(): Arg "result" is ' .. #text .. ' bytes, over the limit of ' .. limit
      .. ' (config max-result-size)')
  end
  return text
end

local function checkRunning(jid, worker, queue)
  local job = Job.read(jid, COMPLETE_FIELDS)
  if job == nil then error('Complete(): Job does not exist') end
  if job.state ~= 'running' then error('Complete(): Job is not currently running: ' .. job.state) end
  if job.worker ~= worker then
    error('Complete(): Job has been handed out to another worker: ' .. tostring(job.worker))
  end
  if job.queue ~= queue then error('Complete(): Job running in another queue: ' .. job.queue) end
  job.tids = Throttle.checked(job.throttles)
  return job
end

-- Steps 1-7 of job.complete: history, leave the queue, release throttles,
-- run sample, worker set, tracked notification. The caller writes `data` and
-- `time` together with the job's new state, in one HSET.
local function finish(now, jid, worker, queue, job, historyLimit)
  Job.migrate(jid, job)
  History.append(jid, floor(now), 'done', nil, historyLimit)
  Queue.removeRunning(queue, jid)
  Throttle.releaseAll(jid, job.tids, now)
  Stats.record('run', queue, now, { now - (tonumber(job.time) or now) })
  call('zrem', Keys.workerJobs(worker), jid)
  Events.tracked('completed', jid, Events.isTracked(jid))
end

local function dropCompleted(jids)
  if #jids == 0 then return end
  for _, jid in ipairs(jids) do
    local job = call('hmget', Keys.job(jid), 'tags', 'unique')
    -- Completing released the key already; this only guards against a path that did not.
    if job[2] then Unique.release(jid, { unique = job[2] }) end
    Job.delete(jid, job[1])
  end
  Args.chunked('zrem', Keys.COMPLETED, jids)
end

-- Delete completed jobs older than `jobs-history` seconds, then all but the
-- newest `jobs-history-count` (docs/core-commands.md, job.complete).
local function expireCompleted(now, age, count)
  dropCompleted(call('zrangebyscore', Keys.COMPLETED, 0, now - age))
  dropCompleted(call('zrange', Keys.COMPLETED, 0, -1 - floor(count)))
end

-- The options job.complete reads, in one HMGET (a constant: no table per call).
local COMPLETE_CONFIG = { 'max-job-history', 'jobs-history', 'jobs-history-count' }

-- job.complete
--
-- Arguments: jid, worker, queue, data [, result, <json>]
--   result (an extension of ours): the job's result, kept as long as the
--   completed job (`max-result-size` bytes at most, 512 KiB unless set).
-- Reply: `complete`.
-- Errors: Complete(): ... (docs/core-commands.md, job.complete).
-- Events: ql:completed (tracked), ql:log completed.
-- Keys: job hash and history; queue sets; throttle sets; stats; worker set;
--   ql:completed (and expired jobs); dependents of the job; its unique key.
Commands['job.complete'] = function(now, args)
  local jid, worker, queue, data = parseComplete(args)
  -- Arguments past `data` were ignored before `result` existed; still so.
  local result = nil
  if args[5] == 'result' then
    if args[6] == nil then error('Complete(): Arg "result" missing') end
    result = parseResult(args[6])
  end
  local job = checkRunning(jid, worker, queue)
  local config = Config.read(COMPLETE_CONFIG)
  local historyLimit = Config.number(config, 'max-job-history')
  local age = Config.number(config, 'jobs-history')
  local count = Config.number(config, 'jobs-history-count')

  finish(now, jid, worker, queue, job, historyLimit)
  Events.completed(jid, queue)
  call('hset', Keys.job(jid), 'state', 'complete', 'worker', '', 'failure', '{}',
    'queue', '', 'expires', 0, 'remaining', tonumber(job.retries) or 0,
    'data', data, 'time', string.format('%.20f', now))
  if result then call('hset', Keys.job(jid), 'result', result) end
  call('zadd', Keys.COMPLETED, now, jid)
  -- Guarded here: a file's namespace loads on its first use in each call, and most
  -- jobs are neither unique nor spawned by a template.
  if job.unique then Unique.release(jid, job) end
  if job.spawned_from_jid then Recurring.ended(jid, job.spawned_from_jid, now) end
  if job.waiters or job.batch then Job.finished(jid, job, 'complete', now) end
  expireCompleted(now, age, count)
  Job.releaseDependents(jid, now)
  return 'complete'
end

-- job.completeAndRequeue
--
-- Arguments: jid, worker, queue, data, next_queue [, key, value]...
--   options: next (overrides next_queue), delay (number), depends (JSON array)
--   Also accepted: jid, worker, queue, data, "next", next_queue [, key, value]...
-- Reply: `waiting`, `scheduled` or `depends`.
-- Errors: as job.complete, plus Complete(): Arg "delay"/"depends" ...
-- Events: ql:completed (tracked), ql:log advanced.
-- Keys: as job.complete, but the job moves to the next queue instead of
--   ql:completed, and dependents are not released. Its throttle list trades
--   the old queue's throttle for the next queue's.
Commands['job.completeAndRequeue'] = function(now, args)
  local jid, worker, queue, data = parseComplete(args)
  local nextQueue = Args.require(args[5], 'Complete(): Arg "next" missing')
  local options
  if args[5] == 'next' and (#args - 4) % 2 == 0 then
    -- Some clients send every option as a pair, `next` included:
    -- `... data next <queue> delay <d> ...`. Read that way only when the
    -- positional reading would leave an odd tail, so the two cannot clash.
    options = Args.pairs(args, 5, 'Complete(): Odd number of additional args: ')
  else
    options = Args.pairs(args, 6, 'Complete(): Odd number of additional args: ')
  end
  nextQueue = options.next or nextQueue
  local delay = Args.optionalFinite(options.delay, 0, 'Complete(): Arg "delay" not a number: ')
  local depends = {}
  if options.depends ~= nil then
    depends = Args.jsonList(options.depends, 'Complete(): Arg "depends" not JSON: ')
    for _, dep in ipairs(depends) do
      if dep == jid then error('Complete(): Arg "depends" names the job itself: ' .. jid) end
    end
    Job.requireKnown(depends, 'Complete()')
  end
  local job = checkRunning(jid, worker, queue)
  local historyLimit = Config.getNumber('max-job-history')

  finish(now, jid, worker, queue, job, historyLimit)
  Events.advanced(jid, queue, nextQueue)
  History.append(jid, floor(now), 'put', { queue = nextQueue }, historyLimit)
  Queue.register(nextQueue, now)
  local key = Keys.job(jid)
  -- The next queue's cap must apply to the job, as after a move by put (the
  -- specification keeps the old list: docs/core-decisions.md). Its slots were
  -- all released by `finish`, so swapping the list frees nothing twice.
  local throttles = Throttle.without(job.tids, Keys.queueThrottleId(queue))
  table.insert(throttles, Keys.queueThrottleId(nextQueue))
  call('hset', key, 'state', 'waiting', 'worker', '', 'failure', '{}', 'queue', nextQueue,
    'expires', 0, 'remaining', tonumber(job.retries) or 0,
    'data', data, 'time', string.format('%.20f', now), 'throttles', encode(throttles))
  if delay > 0 and #depends == 0 then
    -- The state stays `waiting` until promotion, as in the original.
    Queue.schedule(nextQueue, jid, now + delay)
    return 'scheduled'
  end
  if Job.link(jid, depends) > 0 then
    call('zadd', Keys.queue(nextQueue, 'depends'), now, jid)
    call('hset', key, 'state', 'depends')
    if delay > 0 then call('hset', key, 'scheduled', now + delay) end
    return 'depends'
  end
  -- A job of a group stays in it (only such a job has the field).
  Queue.makeReady(nextQueue, jid, tonumber(job.priority) or 0, now,
    call('hget', key, 'group') or nil)
  return 'waiting'
end
