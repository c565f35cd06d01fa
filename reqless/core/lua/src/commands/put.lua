-- queue.put / job.requeue
--
-- Arguments: worker, queue, jid, klass, data, delay [, key, value]...
--   options: priority (number), tags (JSON array), retries (number),
--            depends (JSON array of jids), throttles (JSON array of ids)
-- Reply: the jid.
-- Errors: the Put() messages of core-jobs §8.1; job.requeue first checks that
--   the job exists (`Requeue(): Job <jid> does not exist`).
-- Events: ql:log put; lock_lost to a previous holder other than `worker`;
--   ql:put for tracked jobs.
-- Keys: the job hash, history and dependency sets; the old and new queue sets;
--   tag indexes; ql:completed; failure lists; the old worker's job set; stats.

local function parsePut(args)
  local p = {}
  p.worker = args[1]
  p.queue = Args.require(args[2], 'Queue(): no queue name provided')
  p.jid = Args.require(args[3], 'Put(): Arg "jid" missing')
  p.klass = Args.require(args[4], 'Put(): Arg "klass" missing')
  Args.json(args[5], 'Put(): Arg "data" missing or not JSON: ')
  p.data = args[5]
  p.delay = Args.finite(args[6], 'Put(): Arg "delay" not a number: ')
  local options = Args.pairs(args, 7, 'Odd number of additional args: ')
  if options.retries ~= nil then
    p.retries = Args.finite(options.retries, 'Put(): Arg "retries" not a number: ')
  end
  if options.tags ~= nil then
    p.tags = Args.jsonList(options.tags, 'Put(): Arg "tags" not JSON', true)
  end
  if options.priority ~= nil then
    p.priority = Args.finite(options.priority, 'Put(): Arg "priority" not a number')
  end
  p.depends = {}
  if options.depends ~= nil then
    p.depends = Args.jsonList(options.depends, 'Put(): Arg "depends" not JSON: ')
    for _, dep in ipairs(p.depends) do
      if dep == p.jid then error('Put(): Arg "depends" names the job itself: ' .. p.jid) end
    end
  end
  p.throttles = {}
  if options.throttles ~= nil then
    p.throttles = Args.jsonList(options.throttles, 'Put(): Arg "throttles" not JSON array: ')
  end
  return p
end

local PUT_FIELDS = {
  'state', 'queue', 'worker', 'priority', 'tags', 'retries', 'failure', 'history',
}

local function put(now, p, old, historyLimit)
  local jid, queue = p.jid, p.queue
  local key = Keys.job(jid)
  old = old or {}
  historyLimit = historyLimit or Config.getNumber('max-job-history')
  Job.migrate(jid, old)

  local oldTags = Tags.decode(old.tags)
  local tags = p.tags or oldTags
  local priority = p.priority or tonumber(old.priority) or 0
  local retries = p.retries or tonumber(old.retries) or 5

  -- Tags left behind leave their indexes; tags kept are re-scored below.
  if #oldTags > 0 then
    local keep = {}
    for _, tag in ipairs(tags) do keep[Tags.name(tag)] = true end
    for _, tag in ipairs(oldTags) do
      if not keep[Tags.name(tag)] then Tags.unindex(jid, tag) end
    end
  end

  if #p.depends > 0 then
    local wanted = {}
    for _, dep in ipairs(p.depends) do wanted[dep] = true end
    for _, dep in ipairs(call('smembers', Keys.dependencies(jid))) do
      if not wanted[dep] then Job.unlink(jid, dep) end
    end
  end

  Events.put(jid, queue)
  History.append(jid, floor(now), 'put', { queue = queue }, historyLimit)

  local throttles = p.throttles
  if old.queue then
    Queue.remove(old.queue, jid)
    throttles = Throttle.without(throttles, Keys.queueThrottleId(old.queue))
  end
  if old.worker and old.worker ~= '' then
    call('zrem', Keys.workerJobs(old.worker), jid)
    if old.worker ~= p.worker then Events.lockLost(jid, old.worker) end
  end
  if old.state == 'complete' then call('zrem', Keys.COMPLETED, jid) end
  for _, tag in ipairs(tags) do Tags.index(jid, tag, now) end
  if old.state == 'failed' then
    local failure = Job.decodeFailure(old.failure)
    if failure and failure.group then Job.unlistFailure(jid, failure.group) end
    if failure and tonumber(failure.when) then
      Stats.count(queue, tonumber(failure.when), 'failed', -1)
    end
  end
  table.insert(throttles, Keys.queueThrottleId(queue))

  -- Dependencies are linked before the record is written so that the record
  -- is written once, with its final state.
  local linked = Job.link(jid, p.depends)
  -- A new job has no dependency set but the links just made (deletion removes
  -- the set), so only a re-put needs to look.
  local waiting = linked > 0
  if not waiting and old.state then waiting = call('scard', Keys.dependencies(jid)) > 0 end
  local state = 'waiting'
  if waiting then state = 'depends' elseif p.delay > 0 then state = 'scheduled' end
  call('hset', key,
    'jid', jid, 'klass', p.klass, 'data', p.data, 'priority', priority,
    'tags', encode(tags), 'state', state, 'worker', '', 'expires', 0,
    'queue', queue, 'retries', retries, 'remaining', retries,
    'time', string.format('%.20f', now), 'throttles', encode(throttles))

  if waiting then
    call('zadd', Keys.queue(queue, 'depends'), now, jid)
    if p.delay > 0 then call('hset', key, 'scheduled', now + p.delay) end
  elseif p.delay > 0 then
    Queue.schedule(queue, jid, now + p.delay)
  else
    local blocked = Throttle.firstUnavailable(throttles)
    if blocked then
      Throttle.hold(jid, queue, blocked, state, now, historyLimit)
    else
      Queue.makeReady(queue, jid, priority, now)
    end
  end
  -- queue.putMany registers its queue with its first job only (the others' NX
  -- adds would change nothing).
  if not p.registered then Queue.register(queue, now) end
  Events.tracked('put', jid, Events.isTracked(jid))
  return jid
end

Commands['queue.put'] = function(now, args)
  local p = parsePut(args)
  return put(now, p, Job.read(p.jid, PUT_FIELDS))
end

Commands['job.requeue'] = function(now, args)
  local jid = Args.require(args[3], 'Job(): no jid provided')
  local old = Job.read(jid, PUT_FIELDS)
  if old == nil then error('Requeue(): Job ' .. jid .. ' does not exist') end
  return put(now, parsePut(args), old)
end

-- queue.putMany
--
-- An extension of ours (other clients never need it): many puts in one call.
-- Arguments: worker, queue, then for each job: jid, klass, data, delay, n,
--   followed by n option values as `key, value` pairs (n counts both), with
--   the options of queue.put.
-- Reply: JSON array of the jids, in argument order. Job k is put at now + (k-1) µs,
--   so that jobs of equal priority pop in argument order.
-- Errors: PutMany(): Arg "count" of job <i> not a non-negative even number: <v>;
--   PutMany(): job <i> is incomplete; PutMany(): job <i>: <the queue.put error>.
--   Every job is validated before the first is put: a failed call writes nothing.
-- Events, keys: those of queue.put, for each job in turn.
Commands['queue.putMany'] = function(now, args)
  local worker, queue = args[1], args[2]
  local parsed, i, index = {}, 3, 0
  while i <= #args do
    index = index + 1
    local n = tonumber(args[i + 4])
    if args[i + 3] == nil then error('PutMany(): job ' .. index .. ' is incomplete') end
    if n == nil or n < 0 or n % 2 ~= 0 or i + 4 + n > #args then
      error('PutMany(): Arg "count" of job ' .. index .. ' not a non-negative even number: '
        .. tostring(args[i + 4]))
    end
    local one = { worker, queue, args[i], args[i + 1], args[i + 2], args[i + 3] }
    for k = 1, n do one[6 + k] = args[i + 4 + k] end
    local ok, result = pcall(parsePut, one)
    if not ok then
      error('PutMany(): job ' .. index .. ': ' .. tostring(result):gsub('^.-: ', '', 1))
    end
    parsed[index] = result
    i = i + 5 + n
  end
  local historyLimit = Config.getNumber('max-job-history')
  local jids = {}
  for k, p in ipairs(parsed) do
    -- A microsecond apart, so equal priorities pop in argument order.
    p.registered = k > 1
    jids[k] = put(now + (k - 1) * 1e-6, p, Job.read(p.jid, PUT_FIELDS), historyLimit)
  end
  return Json.list(jids)
end
