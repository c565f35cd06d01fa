-- Recurring templates (docs/concepts.md, Scheduled and recurring jobs): create, read, update, cancel and tag
-- them. Spawning children lives in model/recurring.lua (run by pop and peek).

-- The list items of a stored JSON array (absent or malformed gives {}).
local function storedList(text)
  local out = {}
  for _, item in ipairs(Tags.decode(text)) do table.insert(out, item) end
  return out
end

-- The options both kinds of template take, checked in this order: tags,
-- priority, retries, backlog, throttles (absent: none, 0, 0, 0, none).
local function templateOptions(options)
  local tags, throttles, priority, retries, backlog = {}, {}, 0, 0, 0
  if options.tags ~= nil then
    tags = Args.jsonList(options.tags, 'Recur(): Arg "tags" must be JSON string array: ', true)
  end
  if options.priority ~= nil then
    priority = Args.finite(options.priority, 'Recur(): Arg "priority" not a number: ')
  end
  if options.retries ~= nil then
    retries = Args.finite(options.retries, 'Recur(): Arg "retries" not a number: ')
  end
  if options.backlog ~= nil then
    backlog = Args.finite(options.backlog, 'Recur(): Arg "backlog" not a number: ')
  end
  if options.throttles ~= nil then
    throttles = Args.jsonList(options.throttles, 'Recur(): Arg "throttles" not JSON array: ')
  end
  return tags, priority, retries, backlog, throttles
end

-- The `unique` option of a recur call (a non-empty key), or nil.
local function uniqueOption(options)
  if options.unique == nil then return nil end
  if options.unique == '' then error('Recur(): Arg "unique" must be a non-empty string') end
  return options.unique
end

-- Store (or drop) a template's unique key: each child is put with it, and a time
-- whose key is still held by a live job is skipped.
local function storeUnique(key, unique)
  if unique then call('hset', key, 'unique', unique) else call('hdel', key, 'unique') end
end

-- queue.recurAtInterval
--
-- Arguments: queue, jid, klass, data, interval, offset [, key, value]...
--   options: priority (number, 0), retries (number, 0), backlog (number, 0),
--            tags (JSON array), throttles (JSON array of ids); ours: unique (a
--            key each child is put with; a time whose key a live job holds is
--            skipped and counted in `skipped`)
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
  local tags, priority, retries, backlog, throttles = templateOptions(options)
  local unique = uniqueOption(options)

  local key = Keys.recurring(jid)
  local old = call('hmget', key, 'count', 'queue', 'paused')
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
  -- A cron template made an interval one keeps nothing of its schedule.
  call('hdel', key, 'cron', 'timezone', 'zone', 'overlap', 'catchup', 'jitter', 'slot',
    'pending', 'last_child', 'skipped')
  storeUnique(key, unique)
  if old[3] == '1' then
    -- Paused stays paused (docs/cron.md): resume starts it at this time or later.
    call('hset', key, 'paused_next', now + offset)
    call('zadd', Keys.queue(queue, 'recur'), Recurring.PAUSED_SCORE, jid)
  else
    call('zadd', Keys.queue(queue, 'recur'), now + offset, jid)
  end
  Queue.wake(queue) -- a waiting worker learns when the first spawn is due
  Queue.register(queue, now)
  return jid
end

local OVERLAP = { allow = true, skip = true, queue_one = true }
local CATCHUP = { latest = true, none = true, all = true }

-- queue.recurOnCron
--
-- An extension of ours (docs/cron.md): a template whose children are spawned at
-- the fire times of a cron expression, computed here at spawn time.
-- Arguments: queue, jid, klass, data, cron [, key, value]...
--   options: priority (number, 0), retries (number, 0), tags (JSON array),
--            throttles (JSON array of ids), timezone (IANA name, shown only),
--            zone (the zone's UTC offsets: JSON [[utc, offset], ...]; required
--            with a timezone other than UTC), overlap (allow | skip |
--            queue_one), catchup (latest | none | all), backlog (whole >= 0:
--            the bound of `all`, 0 for 100), jitter (seconds >= 0), unique
--            (as for queue.recurAtInterval)
-- Reply: the jid.
-- Errors: Queue(): no queue name provided; Recur(): Arg "jid"/"klass"/"cron"
--   missing; Recur(): Arg "data" not JSON: <v>; the Cron() errors of the
--   expression and zone; Recur(): Arg "<option>" ...: <v>;
--   Recur(): Odd number of additional args: <args>. Nothing is written then.
-- Events: none.
-- Keys: ql:r:<jid>; the old and new queue's -recur sets; ql:queues.
-- Writes: adds jobs
--
-- With the jid of an existing template it is updated in place: its count,
-- last child and held-back run stay, and its next slot stays unless the
-- schedule changed (then: the first slot after now), so an update never
-- spawns a burst. A paused template stays paused.
Commands['queue.recurOnCron'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  local jid = Args.require(args[2], 'Recur(): Arg "jid" missing')
  local klass = Args.require(args[3], 'Recur(): Arg "klass" missing')
  Args.json(args[4], 'Recur(): Arg "data" not JSON: ')
  local data = args[4]
  local cron = Args.require(args[5], 'Recur(): Arg "cron" missing')
  local spec = Cron.parse(cron)
  local options = Args.pairs(args, 6, 'Recur(): Odd number of additional args: ')
  local tags, priority, retries, backlog, throttles = templateOptions(options)
  if backlog < 0 or backlog ~= floor(backlog) then
    error('Recur(): Arg "backlog" must be a whole number >= 0: ' .. options.backlog)
  end
  local jitter = 0
  if options.jitter ~= nil then
    jitter = Args.finite(options.jitter, 'Recur(): Arg "jitter" not a number: ')
    if jitter < 0 then error('Recur(): Arg "jitter" must be >= 0: ' .. options.jitter) end
  end
  local overlap, catchup = options.overlap or 'allow', options.catchup or 'latest'
  if not OVERLAP[overlap] then
    error('Recur(): Arg "overlap" must be allow, skip or queue_one: ' .. overlap)
  end
  if not CATCHUP[catchup] then
    error('Recur(): Arg "catchup" must be latest, none or all: ' .. catchup)
  end
  local timezone = options.timezone or 'UTC'
  if timezone == '' then error('Recur(): Arg "timezone" is empty') end
  local zoneText = options.zone
  if zoneText == nil then
    if timezone ~= 'UTC' then
      error('Recur(): Arg "zone" missing: the UTC offsets of timezone ' .. timezone)
    end
    zoneText = '[[0,0]]'
  end
  local zone = Cron.zone(zoneText)
  local first = Cron.next(spec, zone, now)
  local unique = uniqueOption(options)

  local key = Keys.recurring(jid)
  local old = call('hmget', key, 'queue', 'type', 'cron', 'zone', 'slot', 'paused')
  if old[1] then
    call('zrem', Keys.queue(old[1], 'recur'), jid)
    throttles = Throttle.without(throttles, old[1])
  end
  table.insert(throttles, Keys.queueThrottleId(queue))
  -- The same schedule keeps its next slot; a changed one starts after now.
  local slot = first
  local kept = tonumber(old[5])
  if old[2] == 'cron' and old[3] == cron and old[4] == zoneText and kept and kept > now then
    slot = kept
  end
  call('hdel', key, 'interval')
  call('hset', key,
    'jid', jid, 'klass', klass, 'data', data, 'priority', priority, 'tags', encode(tags),
    'state', 'recur', 'queue', queue, 'type', 'cron', 'cron', cron, 'timezone', timezone,
    'zone', zoneText, 'overlap', overlap, 'catchup', catchup, 'jitter', jitter,
    'retries', retries, 'backlog', backlog, 'throttles', encode(throttles))
  if call('hexists', key, 'count') == 0 then call('hset', key, 'count', 0) end
  storeUnique(key, unique)
  if old[6] == '1' then
    call('hset', key, 'slot', string.format('%d', slot))
    call('zadd', Keys.queue(queue, 'recur'), Recurring.PAUSED_SCORE, jid)
  else
    Recurring.scheduleCron(queue, jid, slot, jitter)
  end
  Queue.wake(queue) -- a waiting worker learns when the first spawn is due
  Queue.register(queue, now)
  return jid
end

-- recurringJob.pause / recurringJob.resume
--
-- Extensions of ours. Pause keeps the template listed in its queue but spawns
-- nothing until it is resumed; resume starts again from now: a cron template
-- at its first slot after now, an interval one at its next time or now,
-- whichever is later (one run for the time it was paused, never a burst).
-- Arguments: jid
-- Reply: 1.
-- Errors: Recurring(): no jid provided; Recur(): No recurring job <jid>
-- Keys: ql:r:<jid>; its queue's -recur set.
Commands['recurringJob.pause'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  local fields = call('hmget', key, 'queue', 'paused')
  if not fields[1] then error('Recur(): No recurring job ' .. jid) end
  if fields[2] == '1' then return 1 end
  local recur = Keys.queue(fields[1], 'recur')
  call('hset', key, 'paused', 1, 'paused_next', call('zscore', recur, jid) or now)
  call('zadd', recur, Recurring.PAUSED_SCORE, jid)
  return 1
end

Commands['recurringJob.resume'] = function(now, args)
  local jid = Args.require(args[1], 'Recurring(): no jid provided')
  local key = Keys.recurring(jid)
  local fields = call('hmget', key, 'queue', 'paused', 'type', 'cron', 'zone', 'jitter',
    'paused_next')
  local queue = fields[1]
  if not queue then error('Recur(): No recurring job ' .. jid) end
  if fields[2] ~= '1' then return 1 end
  call('hdel', key, 'paused', 'paused_next')
  if fields[3] == 'cron' then
    local ok, spec = pcall(Cron.parse, fields[4] or '')
    local okZone, zone = pcall(Cron.zone, fields[5] or '[[0,0]]')
    local slot = nil
    if ok and okZone then slot = Cron.next(spec, zone, now) end
    Recurring.scheduleCron(queue, jid, slot, tonumber(fields[6]) or 0)
  else
    call('zadd', Keys.queue(queue, 'recur'), math.max(tonumber(fields[7]) or now, now), jid)
  end
  Queue.wake(queue)
  return 1
end

local TEMPLATE_FIELDS = {
  'jid', 'klass', 'state', 'queue', 'priority', 'interval', 'retries', 'count', 'data',
  'tags', 'backlog', 'throttles',
}

local CRON_FIELDS = {
  'type', 'cron', 'timezone', 'overlap', 'catchup', 'jitter', 'skipped', 'pending', 'paused',
  'last_child', 'slot', 'zone', 'unique',
}

-- recurringJob.get
--
-- Arguments: jid
-- Reply: the template as a JSON object, or nil when it does not exist. Ours
--   add, only where used: `paused` (true); for cron templates `type` ("cron"),
--   `cron`, `timezone`, `overlap`, `catchup`, `jitter`, `skipped` (slots left
--   out by overlap=skip), `pending` (a run held back by queue_one), `last_child`,
--   `slot` (the next fire time) and, for clients that know only intervals,
--   `interval` (the gap after the next slot).
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
  local reply = {
    jid = t.jid, klass = t.klass, state = t.state, queue = t.queue,
    priority = finite(t.priority), interval = finite(t.interval),
    retries = finite(t.retries), count = finite(t.count), data = t.data,
    tags = Tags.decode(t.tags), backlog = finite(t.backlog) or 0,
    throttles = Throttle.decode(t.throttles),
  }
  -- Our extensions, only on templates that use them: the others read as before.
  local more = call('hmget', key, unpack(CRON_FIELDS))
  if more[9] == '1' then reply.paused = true end
  if more[13] then reply.unique = more[13] end
  if more[1] ~= 'cron' and tonumber(more[7]) then reply.skipped = tonumber(more[7]) end
  if more[1] == 'cron' then
    reply.type, reply.cron, reply.timezone = 'cron', more[2], more[3]
    reply.overlap, reply.catchup, reply.jitter = more[4], more[5], finite(more[6]) or 0
    reply.skipped = finite(more[7]) or 0
    if more[8] and more[8] ~= '' then reply.pending = finite(more[8]) end
    if more[10] and more[10] ~= '' then reply.last_child = more[10] end
    reply.slot = finite(more[11])
    -- Clients that know only intervals need one: the gap after the next slot.
    local ok, spec = pcall(Cron.parse, more[2] or '')
    local okZone, zone = pcall(Cron.zone, more[12] or '[[0,0]]')
    local after = ok and okZone and reply.slot and Cron.next(spec, zone, reply.slot)
    reply.interval = after and (after - reply.slot) or 0
  end
  return encode(reply)
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

  if call('hget', key, 'type') == 'cron' then
    for _, update in ipairs(updates) do
      if update[1] == 'interval' then
        error('Recur(): Arg "interval" does not apply to a cron schedule: recur it again '
          .. 'with the same jid to change its schedule')
      end
    end
  end
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
