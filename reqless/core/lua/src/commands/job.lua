-- Commands on one job: heartbeat, cancel, priority, dependencies, log, get.

-- job.heartbeat
--
-- Arguments: jid, worker [, data]
-- Reply: integer, the new lock deadline (truncated).
-- Errors: Job(): no jid provided; Heatbeat(): Arg "worker" missing (sic);
--   Heartbeat(): Arg "data" not JSON: <v>; Heartbeat(): Job does not exist;
--   Heartbeat(): Job not currently running: <state>;
--   Heartbeat(): Job given out to another worker: <worker>
-- Events: none.
-- Keys: job hash; the worker's job set; the queue's locks set.
Commands['job.heartbeat'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local worker = Args.require(args[2], 'Heatbeat(): Arg "worker" missing')
  local data = args[3]
  if data ~= nil then data = encode(Args.json(data, 'Heartbeat(): Arg "data" not JSON: ')) end
  local job = Job.read(jid, { 'state', 'worker', 'queue' })
  if job == nil then error('Heartbeat(): Job does not exist') end
  if job.state ~= 'running' then error('Heartbeat(): Job not currently running: ' .. job.state) end
  if job.worker ~= worker or worker == '' then
    error('Heartbeat(): Job given out to another worker: ' .. tostring(job.worker))
  end
  local queue = job.queue or ''
  local config = Config.read({ queue .. '-heartbeat', 'heartbeat' })
  local expires = now + Config.number(config, queue .. '-heartbeat', 'heartbeat')

  if data ~= nil then
    call('hset', Keys.job(jid), 'expires', expires, 'worker', worker, 'data', data)
  else
    call('hset', Keys.job(jid), 'expires', expires, 'worker', worker)
  end
  call('zadd', Keys.workerJobs(worker), expires, jid)
  call('zadd', Keys.queue(queue, 'locks'), expires, jid)
  return expires
end

-- job.cancel
--
-- Arguments: jid... (zero or more)
-- Reply: the arguments, as given.
-- Errors: Cancel(): <jid> is a dependency of <dependent> but is not mentioned to
--   be canceled (checked for every jid before any change).
-- Events: ql:log canceled, ql:w:<worker> canceled (running jobs), ql:canceled
--   (tracked).
-- Keys: job hash, history and dependency sets; queue sets; throttles; the
--   worker's job set; failure lists; stats; tag indexes; its unique key.
Commands['job.cancel'] = function(now, args)
  local named = {}
  for _, jid in ipairs(args) do named[jid] = true end
  for _, jid in ipairs(args) do
    for _, dependent in ipairs(call('smembers', Keys.dependents(jid))) do
      if not named[dependent] then
        error('Cancel(): ' .. jid .. ' is a dependency of ' .. dependent
          .. ' but is not mentioned to be canceled')
      end
    end
    Throttle.checked(call('hget', Keys.job(jid), 'throttles') or nil)
  end
  for _, jid in ipairs(args) do
    local job = Job.read(jid, {
      'state', 'queue', 'failure', 'worker', 'throttles', 'tags', 'unique', 'spawned_from_jid',
      'group', 'waiters', 'batch',
    }) or {}
    if job.unique then Unique.release(jid, job) end
    if job.spawned_from_jid then Recurring.ended(jid, job.spawned_from_jid, now) end
    if job.state ~= 'complete' then
      local queue, worker = job.queue or false, job.worker or false
      local payload = Events.canceled(jid, queue, worker)
      Events.publish('log', payload)
      if worker and worker ~= '' then
        call('zrem', Keys.workerJobs(worker), jid)
        call(Keys.PUBLISH, Keys.workerChannel(worker), payload)
      end
      if queue then Queue.remove(queue, jid, job.group) end
      Throttle.releaseAll(jid, Throttle.decode(job.throttles), now)
      for _, dep in ipairs(call('smembers', Keys.dependencies(jid))) do
        call('srem', Keys.dependents(dep), jid)
      end
      if job.state == 'failed' then
        local failure = Job.decodeFailure(job.failure)
        if failure and failure.group then Job.unlistFailure(jid, failure.group) end
        if failure and tonumber(failure.when) then
          Stats.count(job.queue or '', tonumber(failure.when), 'failed', -1)
        end
      end
      if job.state ~= 'failed' and (job.waiters or job.batch) then
        Job.finished(jid, job, 'canceled', now)
      end
      Job.delete(jid, job.tags)
      Events.tracked('canceled', jid, Events.isTracked(jid))
    end
  end
  return args
end

-- job.setPriority
--
-- Arguments: jid, priority
-- Reply: integer, the priority (truncated).
-- Errors: Job(): no jid provided;
--   Priority(): Arg "priority" missing or not a number: <v>;
--   Priority(): Job <jid> does not exist
-- Keys: job hash; the queue's work set (only when the job is waiting in it).
Commands['job.setPriority'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local priority = Args.finite(args[2],
    'Priority(): Arg "priority" missing or not a number: ')
  local fields = call('hmget', Keys.job(jid), 'queue', 'group', 'time')
  local queue = fields[1]
  if queue == false then
    -- The original fails here with a queue-name assertion; the message keeps
    -- that text and says what is actually wrong.
    error('Queue(): no queue name provided (Priority(): Job ' .. jid .. ' does not exist)')
  end
  call('hset', Keys.job(jid), 'priority', priority)
  if fields[2] and queue ~= '' then
    -- A job of a group is ordered in its group by priority, then put time.
    Group.reprioritize(queue, fields[2], jid, priority, tonumber(fields[3]) or now)
  elseif queue ~= '' then
    local work = Keys.queue(queue, 'work')
    if call('zscore', work, jid) then call('zadd', work, priority, jid) end
  end
  return priority
end

-- Shared validation of the dependency commands.
local function dependsJob(args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local job = Job.read(jid, { 'state', 'queue', 'priority', 'group' })
  local state = job and job.state
  if state ~= 'depends' then
    error('Depends(): Job ' .. jid .. ' not in the depends state: ' .. tostring(state or false))
  end
  return jid, job
end

-- job.addDependency
--
-- Arguments: jid, dep_jid...
-- Reply: 1.
-- Errors: Job(): no jid provided; Depends(): Job <jid> not in the depends state: <state>
-- Keys: the dependency and dependents sets.
Commands['job.addDependency'] = function(now, args)
  local jid = dependsJob(args)
  local deps = {}
  for i = 2, #args do
    if args[i] ~= jid then table.insert(deps, args[i]) end
  end
  Job.requireKnown(deps, 'Depends()')
  Job.link(jid, deps)
  return 1
end

-- job.removeDependency
--
-- Arguments: jid, dep_jid... | jid, "all"
-- Reply: 1.
-- Errors: as job.addDependency.
-- Keys: the dependency and dependents sets; the queue's depends and work sets.
Commands['job.removeDependency'] = function(now, args)
  local jid, job = dependsJob(args)
  local queue, priority = job.queue, tonumber(job.priority) or 0
  local depsKey = Keys.dependencies(jid)
  if args[2] == 'all' then
    for _, dep in ipairs(call('smembers', depsKey)) do call('srem', Keys.dependents(dep), jid) end
    call('del', depsKey)
    if queue then Job.undepend(jid, queue, priority, nil, now, job.group) end
    return 1
  end
  for i = 2, #args do
    Job.unlink(jid, args[i])
    if queue and call('scard', depsKey) == 0 then
      Job.undepend(jid, queue, priority, nil, now, job.group)
    end
  end
  return 1
end

-- job.log
--
-- Arguments: jid, message [, data]
-- Reply: nil.
-- Errors: Log(): Argument 'jid' missing; Log(): Argument 'message' missing;
--   Log(): Argument 'data' not cjson: <v>; Log(): Job <jid> does not exist
-- Keys: the job's history.
Commands['job.log'] = function(now, args)
  local jid = Args.require(args[1], "Log(): Argument 'jid' missing")
  local message = Args.require(args[2], "Log(): Argument 'message' missing")
  local details
  if args[3] ~= nil then
    details = Args.json(args[3], "Log(): Argument 'data' not cjson: ")
    if type(details) ~= 'table' then error("Log(): Argument 'data' not cjson: " .. args[3]) end
  end
  local job = Job.read(jid, { 'state', 'history' })
  if job == nil then error('Log(): Job ' .. jid .. ' does not exist') end
  local historyLimit = Config.getNumber('max-job-history')
  Job.migrate(jid, job)
  History.append(jid, floor(now), message, details, historyLimit)
  return nil
end

-- job.get
--
-- Arguments: jid
-- Reply: the job object as JSON, or nil.
-- Errors: Job(): no jid provided
Commands['job.get'] = function(now, args)
  local jid = Args.require(args[1], 'Job(): no jid provided')
  local object = Job.get(jid)
  if object == nil then return nil end
  return encode(object)
end

-- job.getMulti
--
-- Arguments: jid... (zero or more)
-- Reply: JSON array of the job objects that exist, `[]` when none.
Commands['job.getMulti'] = function(now, args)
  return Json.list(Job.getMany(args))
end
