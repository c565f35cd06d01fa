-- Recurring templates (docs/concepts.md, Scheduled and recurring jobs): create, read, update, cancel and tag
-- them. Spawning children lives in model/recurring.lua (run by pop and peek).

-- The list items of a stored JSON array (absent or malformed gives {}).
local function storedList(text)
  local out = {}
  for _, item in ipairs(Tags.decode(text)) do table.insert(out, item) end
  return out
end

-- queue.recurAtInterval
--
-- Arguments: queue, jid, klass, data, interval, offset [, key, value]...
--   options: priority (number, 0), retries (number, 0), backlog (number, 0),
--            tags (JSON array), throttles (JSON array of ids)
-- Reply: the jid.
-- Errors: Queue(): no queue name provided; Recur(): Arg "jid"/"klass" missing;
--   Recur(): Arg "data" not JSON: <v>; Recur(): Arg "interval"/"offset" not a
--   number: <v>; Recur(): Arg "interval" must be greater than 0;
--   Recur(): Odd number of additional args: <args>;
--   Recur(): Arg "tags" must be JSON string array: <v>;
--   Recur(): Arg "priority"/"retries"/"backlog" not a number: <v>;
--   Recur(): Arg "throttles" not JSON array: <v>
--   Numbers must be finite; tags items strings or numbers; throttle ids strings.
-- Events: none.
-- Keys: ql:r:<jid>; the old and new queue's -recur sets; ql:queues.
-- Writes: adds jobs
Commands['queue.recurAtInterval'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  local jid = Args.require(args[2], 'Recur(): Arg "jid" missing')
  local klass = Args.require(args[3], 'Recur(): Arg "klass" missing')
  Args.json(args[4], 'Recur(): Arg "data" not JSON: ')
  local data = args[4]
  local interval = Args.finite(args[5], 'Recur(): Arg "interval" not a number: ')
  local offset = Args.finite(args[6], 'Recur(): Arg "offset" not a number: ')
  if interval <= 0 then error('Recur(): Arg "interval" must be greater than 0') end
  local options = Args.pairs(args, 7, 'Recur(): Odd number of additional args: ')
  local tags = {}
  if options.tags ~= nil then
    tags = Args.jsonList(options.tags, 'Recur(): Arg "tags" must be JSON string array: ', true)
  end
  local priority, retries, backlog = 0, 0, 0
  if options.priority ~= nil then
    priority = Args.finite(options.priority, 'Recur(): Arg "priority" not a number: ')
  end
  if options.retries ~= nil then
    retries = Args.finite(options.retries, 'Recur(): Arg "retries" not a number: ')
  end
  if options.backlog ~= nil then
    backlog = Args.finite(options.backlog, 'Recur(): Arg "backlog" not a number: ')
  end
  local throttles = {}
  if options.throttles ~= nil then
    throttles = Args.jsonList(options.throttles, 'Recur(): Arg "throttles" not JSON array: ')
  end

  local key = Keys.recurring(jid)
  local old = call('hmget', key, 'count', 'queue')
  local count = tonumber(old[1]) or 0
  if old[2] then
    -- The original strips the bare old queue name, not its throttle id.
    call('zrem', Keys.queue(old[2], 'recur'), jid)
    throttles = Throttle.without(throttles, old[2])
  end
  table.insert(throttles, Keys.queueThrottleId(queue))
  call('hset', key,
    'jid', jid, 'klass', klass, 'data', data, 'priority', priority, 'tags', encode(tags),
    'state', 'recur', 'queue', queue, 'type', 'interval', 'count', count,
    'interval', interval, 'retries', retries, 'backlog', backlog,
    'throttles', encode(throttles))
  call('zadd', Keys.queue(queue, 'recur'), now + offset, jid)
  Queue.wake(queue) -- a waiting worker learns when the first spawn is due
  Queue.register(queue, now)
  return jid
end

local TEMPLATE_FIELDS = {
  'jid', 'klass', 'state', 'queue', 'priority', 'interval', 'retries', 'count', 'data',
  'tags', 'backlog', 'throttles',
}

-- recurringJob.get
--
-- Arguments: jid
-- Reply: the template as a JSON object, or nil when it does not exist.
-- Errors: Recurring(): no jid provided
-- Keys: reads ql:r:<jid>.
-- Writes: none
Commands['recurringJob.get'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  if call('exists', key) == 0 then return nil end
  local values = call('hmget', key, unpack(TEMPLATE_FIELDS))
  local t = {}
  for i, name in ipairs(TEMPLATE_FIELDS) do t[name] = values[i] or nil end
  local finite = Args.finiteOrNil
  return encode({
    jid = t.jid, klass = t.klass, state = t.state, queue = t.queue,
    priority = finite(t.priority), interval = finite(t.interval),
    retries = finite(t.retries), count = finite(t.count), data = t.data,
    tags = Tags.decode(t.tags), backlog = finite(t.backlog) or 0,
    throttles = Throttle.decode(t.throttles),
  })
end

-- Parse the `key, value` pairs of recurringJob.update (every pair is checked
-- before any is applied); returns a list of {name, value}.
local function parseUpdates(args)
  local updates = {}
  for i = 2, #args, 2 do
    local name, value = args[i], args[i + 1]
    if value == nil then error('No value provided for ' .. name) end
    if name == 'priority' or name == 'interval' or name == 'retries' then
      value = Args.finite(value, 'Recur(): Arg "' .. name .. '" must be a number: ')
      -- The original accepts any interval here; a non-positive one makes every
      -- pass spawn its whole budget at one nominal time, so it is refused.
      if name == 'interval' and value <= 0 then
        error('Recur(): Arg "interval" must be greater than 0')
      end
    elseif name == 'backlog' then
      value = Args.finite(value, 'Recur(): Arg "backlog" not a number: ')
    elseif name == 'data' then
      Args.json(value, 'Recur(): Arg "data" is not JSON-encoded: ')
    elseif name == 'throttles' then
      value = encode(Args.jsonList(value, 'Recur(): Arg "throttles" is not JSON-encoded: '))
    elseif name ~= 'klass' and name ~= 'queue' then
      error('Recur(): Unrecognized option "' .. name .. '"')
    end
    table.insert(updates, { name, value })
  end
  return updates
end

-- Move template `jid` from queue `from` (nil if unknown) to `to`, keeping its
-- schedule and swapping the old queue's throttle for the new one's.
local function moveTemplate(jid, from, to, now)
  local key = Keys.recurring(jid)
  local tids = storedList(call('hget', key, 'throttles'))
  local score
  if from then
    local recur = Keys.queue(from, 'recur')
    score = call('zscore', recur, jid)
    call('zrem', recur, jid)
    tids = Throttle.without(tids, Keys.queueThrottleId(from))
  end
  table.insert(tids, Keys.queueThrottleId(to))
  call('hset', key, 'throttles', encode(tids), 'queue', to)
  if score then call('zadd', Keys.queue(to, 'recur'), score, jid) end
  Queue.register(to, now)
end

-- Shift template `jid`'s next spawn by `delta` (the change of its interval).
-- The original shifts it unconditionally; before the first spawn, or with a
-- much shorter interval, that puts the next spawn far in the past and the next
-- pop spawns a burst. The next spawn never moves earlier than now (or than it
-- already was, when it is already due), so it is at most one new interval away.
local function rescheduleForInterval(jid, queue, delta, now)
  local recur = Keys.queue(queue, 'recur')
  local score = tonumber(call('zscore', recur, jid))
  if score == nil then return end
  local target = score + delta
  if delta < 0 then target = math.max(target, math.min(score, now)) end
  call('zadd', recur, target, jid)
end

-- recurringJob.update
--
-- Arguments: jid [, key, value]...
--   keys: priority, retries, interval, backlog (numbers), data (JSON text,
--         stored verbatim), klass, throttles (JSON array, re-encoded), queue
-- Reply: 1.
-- Errors: Recurring(): no jid provided; Recur(): No recurring job <jid>;
--   No value provided for <key>; Recur(): Arg "<key>" must be a number: <v>;
--   Recur(): Arg "interval" must be greater than 0;
--   Recur(): Arg "backlog" not a number: <v>;
--   Recur(): Arg "data"/"throttles" is not JSON-encoded: <v>;
--   Recur(): Unrecognized option "<key>"
--   Every pair is validated before the first one is applied.
-- Events: none.
-- Keys: ql:r:<jid>; the -recur sets of the old and new queue; ql:queues.
Commands['recurringJob.update'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  if call('exists', key) == 0 then error('Recur(): No recurring job ' .. jid) end
  local updates = parseUpdates(args)

  -- Pairs are applied in argument order, as the original does.
  local fields = call('hmget', key, 'queue', 'interval')
  local queue, interval = fields[1] or nil, tonumber(fields[2]) or 0
  for _, update in ipairs(updates) do
    local name, value = update[1], update[2]
    if name == 'queue' then
      moveTemplate(jid, queue, value, now)
      queue = value
    else
      if name == 'interval' then
        if queue then rescheduleForInterval(jid, queue, value - interval, now) end
        interval = value
      end
      call('hset', key, name, value)
    end
  end
  return 1
end

-- recurringJob.cancel
--
-- Arguments: jid
-- Reply: 1 (also when the template does not exist).
-- Errors: Recurring(): no jid provided
-- Keys: ql:r:<jid> (deleted); its queue's -recur set. Children are untouched.
Commands['recurringJob.cancel'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  local queue = call('hget', key, 'queue')
  if queue then call('zrem', Keys.queue(queue, 'recur'), jid) end
  call('del', key)
  return 1
end

-- recurringJob.addTag
--
-- Arguments: jid, tag...
-- Reply: the template's tags as a JSON array; `[]` when empty (also stored so).
-- Errors: Recurring(): no jid provided; Tag(): Job <jid> does not exist
-- Keys: ql:r:<jid> (tag indexes are not touched).
Commands['recurringJob.addTag'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  if call('exists', key) == 0 then error('Tag(): Job ' .. jid .. ' does not exist') end
  local tags = storedList(call('hget', key, 'tags'))
  -- Only tags present before the call count: a tag repeated in the call is
  -- appended once per occurrence, as in the original.
  local before = {}
  for _, tag in ipairs(tags) do before[Tags.name(tag)] = true end
  for i = 2, #args do
    if not before[args[i]] then table.insert(tags, args[i]) end
  end
  local text = Json.list(tags)
  call('hset', key, 'tags', text)
  return text
end

-- recurringJob.removeTag
--
-- Arguments: jid, tag...
-- Reply: the remaining tags as a JSON array; `{}` when empty (also stored so).
-- Errors: Recurring(): no jid provided; Untag(): Job <jid> does not exist
-- Keys: ql:r:<jid> (tag indexes are not touched).
Commands['recurringJob.removeTag'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  if call('exists', key) == 0 then error('Untag(): Job ' .. jid .. ' does not exist') end
  local drop = {}
  for i = 2, #args do drop[args[i]] = true end
  local kept = {}
  for _, tag in ipairs(storedList(call('hget', key, 'tags'))) do
    if not drop[Tags.name(tag)] then table.insert(kept, tag) end
  end
  local text = encode(kept)
  call('hset', key, 'tags', text)
  return text
end
