-- queue.put / job.requeue
--
-- Arguments: worker, queue, jid, klass, data, delay [, key, value]...
--   options: priority (number), tags (JSON array), retries (number),
--            depends (JSON array of jids), throttles (JSON array of ids),
--            unique (non-empty string), on_conflict (keep | replace | error),
--            unique_until (finish | start), unique_for (seconds > 0): see
--            lib/unique.lua and docs/concepts.md, Unique jobs;
--            group (1 to 256 bytes, no control characters): the job's
--            fair group in its queue (lib/group.lua); a put without it takes
--            the job out of any group it was in;
--            batch (an open batch's id: the job joins it; docs/following-jobs.md);
--            trace (text of at most 4096 bytes: trace context, kept on the job)
-- Reply: the jid; with `unique`, the jid of the live job holding the key when
--   another one holds it (on_conflict keep or replace: nothing else is written
--   but, for replace, the holder's data, priority and delay).
-- Errors: the Put() messages (docs/core-commands.md, queue.put); job.requeue first checks that
--   the job exists (`Requeue(): Job <jid> does not exist`); on_conflict error:
--   Put(): unique key "<key>" is held by job <jid>.
-- Events: ql:log put; lock_lost to a previous holder other than `worker`;
--   ql:put for tracked jobs.
-- Keys: the job hash, history and dependency sets; the old and new queue sets;
--   tag indexes; ql:completed; failure lists; the old worker's job set; stats;
--   ql:u:<key> of the new and the old unique key.
-- Writes: adds jobs

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
  if options.group ~= nil then p.group = Group.parseName(options.group) end
  if options.batch ~= nil then
    p.batch = Batch.parseId('Put()', options.batch)
    if Batch.state(p.batch) ~= 'open' then
      error('Put(): batch ' .. p.batch .. ' is not open (unknown, closed or finished)')
    end
  end
  if options.trace ~= nil then
    if #options.trace > 4096 then error('Put(): Arg "trace" is longer than 4096 bytes') end
    p.trace = options.trace
  end
  if options.unique or options.on_conflict or options.unique_until or options.unique_for then
    p.unique = Unique.parse(options) -- loaded only for puts that name one of these
  end
  return p
end

local PUT_FIELDS = {
  'state', 'queue', 'worker', 'priority', 'tags', 'retries', 'failure', 'history', 'throttles',
  'unique', 'group', 'batch', 'progress', 'result',
}

local putOne -- queue.put of a parsed job: below, with queue.putMany's shorter path

local function put(now, p, old, historyLimit)
  local jid, queue = p.jid, p.queue
  local key = Keys.job(jid)
  old = old or {}
  historyLimit = historyLimit or Config.getNumber('max-job-history')
  -- A job moved from another queue loses that queue's throttle from the list.
  if p.batch and old.batch and old.batch ~= p.batch then
    error('Put(): job ' .. jid .. ' belongs to batch ' .. old.batch)
  end
  local throttles = p.throttles
  if old.queue then throttles = Throttle.without(throttles, Keys.queueThrottleId(old.queue)) end
  table.insert(throttles, Keys.queueThrottleId(queue))
  -- Slots on throttles the new list drops are released (core-decisions.md).
  local released = {}
  if old.throttles then released = Throttle.dropped(jid, old.throttles, throttles) end
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

  if old.queue then Queue.remove(old.queue, jid, old.group) end
  Throttle.releaseAll(jid, released, now)
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
  if p.group then
    call('hset', key, 'group', p.group)
  elseif old.group then
    call('hdel', key, 'group')
  end
  -- A new run: the last run's progress and result go (a trace is the put's own).
  if old.progress or old.result then call('hdel', key, 'progress', 'result') end
  if p.trace then call('hset', key, 'trace', p.trace) end
  if p.batch then
    call('hset', key, 'batch', p.batch)
    Batch.join(p.batch, jid, old.state)
  elseif old.batch then
    Batch.reopened(old.batch, old.state)
  end
  -- The key of the job's previous put is released when this put names another
  -- one or none (Unique.conflict already saw that no other job holds p's key).
  if p.unique then
    if old.unique and old.unique ~= p.unique.key then Unique.release(jid, old) end
    Unique.claim(jid, p.unique, now)
  elseif old.unique then
    Unique.release(jid, old)
    call('hdel', key, 'unique', 'unique_until', 'unique_expires') -- Unique.FIELDS
  end

  if waiting then
    call('zadd', Keys.queue(queue, 'depends'), now, jid)
    if p.delay > 0 then call('hset', key, 'scheduled', now + p.delay) end
  elseif p.delay > 0 then
    Queue.schedule(queue, jid, now + p.delay)
  else
    local blocked, reopens = Throttle.firstUnavailable(throttles, now)
    if blocked then
      Throttle.hold(jid, queue, blocked, state, now, historyLimit, reopens)
    else
      Queue.makeReady(queue, jid, priority, now, p.group)
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
  Job.requireKnown(p.depends, 'Put()')
  local holder = p.unique and Unique.conflict(p, now)
  if holder then return holder end
  return putOne(now, p)
end

Commands['job.requeue'] = function(now, args)
  local jid = Args.require(args[3], 'Job(): no jid provided')
  local old = Job.read(jid, PUT_FIELDS)
  if old == nil then error('Requeue(): Job ' .. jid .. ' does not exist') end
  local p = parsePut(args)
  Job.requireKnown(p.depends, 'Put()')
  local holder = p.unique and Unique.conflict(p, now)
  if holder then return holder end
  return put(now, p, old)
end

local function flushReady(queue, ready)
  if ready == nil or #ready == 0 then return end
  Args.chunked('zadd', Keys.queue(queue, 'work'), ready)
  for i = #ready, 1, -1 do ready[i] = nil end
end

local function parseMany(args, parsed)
  local worker, queue = args[1], args[2]
  local i, index = 3, 0
  while i <= #args do
    index = index + 1
    parsed.failing = index
    local n = tonumber(args[i + 4])
    if args[i + 3] == nil then error('PutMany(): job ' .. index .. ' is incomplete', 0) end
    if n == nil or n < 0 or n % 2 ~= 0 or i + 4 + n > #args then
      error('PutMany(): Arg "count" of job ' .. index .. ' not a non-negative even number: '
        .. tostring(args[i + 4]), 0)
    end
    local p
    if n == 0 then
      -- parsePut's checks for a job without options, without its argument list.
      Args.json(args[i + 2], 'Put(): Arg "data" missing or not JSON: ')
      p = {
        worker = worker, queue = queue, jid = args[i], klass = args[i + 1], data = args[i + 2],
        delay = Args.finite(args[i + 3], 'Put(): Arg "delay" not a number: '),
        depends = {}, throttles = {},
      }
    else
      local one = { worker, queue, args[i], args[i + 1], args[i + 2], args[i + 3] }
      for k = 1, n do one[6 + k] = args[i + 4 + k] end
      p = parsePut(one)
    end
    p.priority = p.priority or 0
    p.retries = p.retries or 5
    p.tags = p.tags or {}
    parsed[index] = p
    i = i + 5 + n
  end
  parsed.failing = nil
  if Keys.NAMESPACED then
    -- A job may depend on one put earlier in the same call.
    local earlier = {}
    for _, p in ipairs(parsed) do
      for _, dep in ipairs(p.depends) do
        if not earlier[dep] then Job.requireKnown({ dep }, 'Put()') end
      end
      earlier[p.jid] = true
    end
  end
end

-- The end of putFresh: the job joins the work set with the others at the end.
local function readyFresh(t, p, c)
  local ready, jid = c.ready, p.jid
  if ready then
    ready[#ready + 1] = Queue.score(p.priority, t)
    ready[#ready + 1] = jid
    Queue.wake(c.queue)
  else
    Queue.makeReady(c.queue, jid, p.priority, t)
  end
  if c.tracking then Events.tracked('put', jid, Events.isTracked(jid)) end
  return jid
end

-- What put does for a new job without dependencies, delay or throttles of its
-- own, into a queue whose throttle is open, less the branches for jobs that
-- exist; `c` holds what every job of the call shares. It is added to the work
-- set with the others at the end.
--
-- The record is a COPY of a template hash holding the fields every such job of
-- the call shares, then an HSET of the fields that differ: the server spends
-- about 2 µs less per job than on one HSET of all thirteen fields. The
-- template has put's field order with short values in the fields set per job,
-- so the copy ends up with the order and encoding that one HSET gives (values
-- past the server's default 64 bytes for a compact hash are written with one
-- HSET instead). It is deleted before the call returns: no other client ever
-- sees it.
local function putFresh(t, p, c)
  local jid = p.jid
  local key = Keys.job(jid)
  local tags, tagsText = p.tags, '{}'
  if #tags > 0 then tagsText = encode(tags) end
  local template = nil
  if c.template and #p.data <= 64 and #jid <= 64 and #p.klass <= 64 and #tagsText <= 64 then
    template = c.templateFields
    if template == nil then
      template = { klass = p.klass, priority = p.priority, tags = tagsText, retries = p.retries }
      c.templateFields = template
      call('hset', Keys.PUT_TEMPLATE,
        'jid', '', 'klass', p.klass, 'data', '', 'priority', p.priority,
        'tags', tagsText, 'state', 'waiting', 'worker', '', 'expires', 0,
        'queue', c.queue, 'retries', p.retries, 'remaining', p.retries,
        'time', '', 'throttles', c.queueThrottles)
    end
    -- COPY refuses a destination that exists: it is also the check that the job is new.
    if call('copy', Keys.PUT_TEMPLATE, key) == 0 then return nil end
  elseif call('exists', key) == 1 then
    return nil
  end
  call(Keys.PUBLISH, c.logChannel, '{"jid":' .. encode(jid) .. c.putEventTail)
  History.appendEntry(jid, '[' .. floor(t) .. ',"put",' .. c.putDetails .. ']')
  for _, tag in ipairs(tags) do Tags.index(jid, tag, t) end
  local time = string.format('%.20f', t)
  if template == nil then
    -- A single put, or a value long enough that the server would store the
    -- hash as a table, whose field order would differ from one HSET's.
    call('hset', key,
      'jid', jid, 'klass', p.klass, 'data', p.data, 'priority', p.priority,
      'tags', tagsText, 'state', 'waiting', 'worker', '', 'expires', 0,
      'queue', c.queue, 'retries', p.retries, 'remaining', p.retries,
      'time', time, 'throttles', c.queueThrottles)
    return readyFresh(t, p, c)
  end
  local fields = { key, 'jid', jid, 'data', p.data, 'time', time }
  if p.klass ~= template.klass then
    fields[#fields + 1] = 'klass'
    fields[#fields + 1] = p.klass
  end
  if p.priority ~= template.priority then
    fields[#fields + 1] = 'priority'
    fields[#fields + 1] = p.priority
  end
  if tagsText ~= template.tags then
    fields[#fields + 1] = 'tags'
    fields[#fields + 1] = tagsText
  end
  if p.retries ~= template.retries then
    fields[#fields + 1] = 'retries'
    fields[#fields + 1] = p.retries
    fields[#fields + 1] = 'remaining'
    fields[#fields + 1] = p.retries
  end
  call('hset', unpack(fields))
  return readyFresh(t, p, c)
end

-- What putFresh needs to know about the call: the same for all its jobs.
-- A new job's history is one entry, never trimmed, so no history limit is read.
local function freshContext(queue, template, tracking)
  local queueThrottle = Keys.queueThrottleId(queue)
  return {
    queue = queue,
    tracking = tracking,
    logChannel = Keys.channel('log'),
    putEventTail = ',"event":"put","queue":' .. encode(queue) .. '}',
    putDetails = '{"queue":' .. encode(queue) .. '}',
    queueThrottles = encode({ queueThrottle }),
    -- Jobs put do not take throttle slots, so this holds for the whole call.
    open = Throttle.available(queueThrottle),
    -- queue.putMany: write records from a template and add ready jobs at the end.
    template = template,
    ready = template and {} or nil,
  }
end

-- Whether job `p` (parsed) may take putFresh's path: nothing of its own to wait
-- for, into a queue whose throttle is open (putFresh then checks it is new).
local function mayBeFresh(p, c)
  return c.open and p.delay <= 0 and #p.depends == 0 and #p.throttles == 0 and p.unique == nil
    and p.group == nil and p.batch == nil and p.trace == nil
end

-- queue.putMany's on_conflict=error check, before anything is written: each
-- job with a key sees the holder the jobs before it in the call leave.
local function checkUnique(parsed, now)
  local claimed = {}
  for k, p in ipairs(parsed) do
    local u = p.unique
    if u then
      local holder = claimed[u.key]
      if holder == nil then holder = Unique.holder(u.key, now) or false end
      if holder and holder ~= p.jid then
        if u.policy == 'error' then
          error('PutMany(): job ' .. k .. ': Put(): unique key "' .. u.key .. '" is held by job '
            .. holder, 0)
        end
        claimed[u.key] = holder
      else
        claimed[u.key] = p.jid
      end
    end
  end
end

putOne = function(now, p)
  local c = freshContext(p.queue, false, true)
  if mayBeFresh(p, c) then
    -- What put would use for the options left out, for a new job.
    local priority, retries, tags = p.priority, p.retries, p.tags
    p.priority, p.retries, p.tags = priority or 0, retries or 5, tags or {}
    local jid = putFresh(now, p, c)
    if jid then
      Queue.register(p.queue, now)
      return jid
    end
    p.priority, p.retries, p.tags = priority, retries, tags
  end
  return put(now, p, Job.read(p.jid, PUT_FIELDS))
end

-- queue.putMany
--
-- An extension of ours (other clients never need it): many puts in one call.
-- Arguments: worker, queue, then for each job: jid, klass, data, delay, n,
--   followed by n option values as `key, value` pairs (n counts both), with
--   the options of queue.put. An option left out takes put's default (priority
--   0, retries 5, no tags, dependencies or throttles), also when the job exists:
--   unlike queue.put, which keeps an existing job's priority, retries and tags.
-- Reply: JSON array of the jids, in argument order. Job k is put at now + (k-1) µs,
--   so that jobs of equal priority pop in argument order.
-- Errors: PutMany(): Arg "count" of job <i> not a non-negative even number: <v>;
--   PutMany(): job <i> is incomplete; PutMany(): job <i>: <the queue.put error>.
--   PutMany(): job <i>: Put(): unique key "<key>" is held by job <jid> (on_conflict
--   error, checked for every job first). Every job is validated before the first
--   is put: a failed call writes nothing. A job whose key another live job holds
--   (on_conflict keep or replace) has that job's jid in the reply.
-- Events, keys: those of queue.put, for each job in turn.
-- Writes: adds jobs
Commands['queue.putMany'] = function(now, args)
  local queue = Args.require(args[2], 'Queue(): no queue name provided')
  local parsed = {}
  -- One pcall for the whole list: a put error is reported with its job's number.
  local ok, problem = pcall(parseMany, args, parsed)
  if not ok then
    if parsed.failing == nil or tostring(problem):find('^PutMany%(%)') then error(problem, 0) end
    error('PutMany(): job ' .. parsed.failing .. ': ' .. tostring(problem):gsub('^.-: ', '', 1))
  end
  if #parsed == 0 then return '[]' end
  checkUnique(parsed, now)
  -- A template pays off from the second job on. Nothing in this call tracks or
  -- untracks a job, so one look at the tracked set serves every job.
  local c = freshContext(queue, #parsed > 1, call('zcard', Keys.TRACKED) > 0)
  Queue.register(queue, now)
  local jids = {}
  for k, p in ipairs(parsed) do
    -- A microsecond apart, so equal priorities pop in argument order.
    local t = now + (k - 1) * 1e-6
    local jid = nil
    if mayBeFresh(p, c) then jid = putFresh(t, p, c) end
    if jid then
      jids[k] = jid
    else
      -- Anything else takes put's own path, after the jobs before it are added.
      flushReady(queue, c.ready)
      p.registered = true
      jids[k] = (p.unique and Unique.conflict(p, t)) or put(t, p, Job.read(p.jid, PUT_FIELDS))
    end
  end
  flushReady(queue, c.ready)
  if c.templateFields then call('del', Keys.PUT_TEMPLATE) end
  return Json.list(jids)
end
