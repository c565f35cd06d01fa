-- Recurring templates: spawning children into a queue's work set during pop and
-- peek (docs/concepts.md, Scheduled and recurring jobs).

local TEMPLATE_FIELDS = {
  'klass', 'data', 'priority', 'tags', 'retries', 'interval', 'backlog', 'throttles', 'count',
  'type', 'cron', 'zone', 'overlap', 'catchup', 'jitter', 'slot', 'last_child', 'pending',
  'unique',
}

-- Where a paused template waits in its queue's -recur set: listed as before, never
-- due (an infinite score would not survive JSON), earliest of nothing.
Recurring.PAUSED_SCORE = 1e15

-- Write child `child` of `template` (nominal time `s`) into `queue`'s work; false
-- (nothing written) when the template's unique key is held by a live job.
local function writeChild(queue, template, child, t, s, now, historyLimit)
  if t.unique and Unique.holder(t.unique, now) then return false end
  Recurring.evict(child, now)
  for _, tag in ipairs(t.tags) do Tags.index(child, tag, now) end
  call('hset', Keys.job(child),
    'jid', child, 'klass', t.klass, 'data', t.data or '{}', 'priority', t.priority,
    'tags', t.tagsText or '{}', 'state', 'waiting', 'worker', '', 'expires', 0,
    'queue', queue, 'retries', t.retries or 0, 'remaining', t.retries or 0,
    'time', string.format('%.20f', s), 'throttles', t.throttles or '[]',
    'spawned_from_jid', template)
  History.append(child, floor(s), 'put', { queue = queue }, historyLimit)
  Queue.addToWork(queue, child, t.priority, s)
  if t.unique then Unique.claim(child, { key = t.unique, untilWhen = 'finish' }, now) end
  return true
end

-- Spawn children of template `template` (its fields in `values`, first nominal
-- time `s`) while they are due and `room` allows; returns how many it spawned.
local function spawnChildren(queue, template, values, s, now, room, historyLimit)
  local finite = Args.finiteOrNil
  local klass, data, priority, tagsText = values[1], values[2], finite(values[3]) or 0, values[4]
  local retries, interval = values[5], finite(values[6])
  local backlog, throttles = finite(values[7]) or 0, values[8]
  local count = finite(values[9]) or 0
  -- A template without a class or a usable interval (written by hand or by
  -- another client) is passed over: raising here would come after the pop
  -- had already written.
  if klass == false or interval == nil or interval <= 0 then return 0 end
  if backlog ~= 0 then
    local behind = (now - s) / interval
    if behind > backlog then s = s + math.ceil(behind - backlog) * interval end
  end
  local spawned = 0
  local t = {
    klass = klass, data = data, priority = priority, tagsText = tagsText,
    tags = Tags.decode(tagsText), retries = retries, throttles = throttles,
    unique = values[19] or nil,
  }
  local skipped = 0
  while s <= now and spawned < room do
    -- A time whose unique key is held (its previous run has not ended) is skipped.
    if writeChild(queue, template, template .. '-' .. (count + 1), t, s, now, historyLimit) then
      count, spawned = count + 1, spawned + 1
    else
      skipped = skipped + 1
      if skipped > 1000 then break end
    end
    s = s + interval
  end
  if skipped > 0 then call('hincrby', Keys.recurring(template), 'skipped', skipped) end
  if spawned > 0 or skipped > 0 then
    call('hset', Keys.recurring(template), 'count', count)
    call('zadd', Keys.queue(queue, 'recur'), s, template)
  end
  return spawned
end

-- Spawn up to `budget` children of the due templates of `queue` (scores in
-- [0, now], earliest first). Each child is named <template>-<n>, stamped with
-- its nominal spawn time, and goes straight into work.
function Recurring.spawn(queue, now, budget, historyLimit)
  budget = floor(budget)
  if budget <= 0 then return end
  local recur = Keys.queue(queue, 'recur')
  local due = call('zrangebyscore', recur, 0, now, 'WITHSCORES', 'LIMIT', 0, budget)
  if #due == 0 then return end
  historyLimit = historyLimit or Config.getNumber('max-job-history')
  local moved = 0
  for i = 1, #due, 2 do
    local template, s = due[i], floor(tonumber(due[i + 1]))
    local values = call('hmget', Keys.recurring(template), unpack(TEMPLATE_FIELDS))
    if values[10] == 'cron' then
      moved = moved + Recurring.spawnCron(queue, template, values, now, budget - moved,
        historyLimit)
    else
      moved = moved + spawnChildren(queue, template, values, s, now, budget - moved, historyLimit)
    end
  end
end

-- A child name can be used again after its template was cancelled and created
-- anew (the count restarts). The original overwrote the old job's fields and
-- left it in its old sets: still listed as completed (so completed-job expiry
-- would later delete the new child), as failed, or in another worker's and
-- queue's sets. Take the old job out of all of them first.
function Recurring.evict(jid, now)
  local old = call('hmget', Keys.job(jid), 'state', 'queue', 'worker', 'failure', 'tags',
    'throttles', 'unique', 'group')
  local state = old[1]
  if not state then return end
  if old[2] then Queue.remove(old[2], jid, old[8] or nil) end
  if old[3] and old[3] ~= '' then call('zrem', Keys.workerJobs(old[3]), jid) end
  if state == 'complete' then call('zrem', Keys.COMPLETED, jid) end
  if state == 'failed' then
    local failure = Job.decodeFailure(old[4])
    if failure and failure.group then Job.unlistFailure(jid, failure.group) end
  end
  for _, tag in ipairs(Tags.decode(old[5])) do Tags.unindex(jid, tag) end
  -- Nor are the old job's throttle slots (or pending places) and dependencies.
  Throttle.releaseAll(jid, Throttle.decode(old[6]), now)
  for _, dep in ipairs(call('smembers', Keys.dependencies(jid))) do
    call('srem', Keys.dependents(dep), jid)
  end
  call('del', Keys.dependencies(jid))
  -- And the old job's unique key is no longer held by anything.
  if old[7] then
    Unique.release(jid, { unique = old[7] })
    call('hdel', Keys.job(jid), unpack(Unique.FIELDS))
  end
end

-- Cron templates (docs/cron.md) ------------------------------------------------

-- Child `jid` of template `template` (nil: not a child) ended for good: a run
-- its template held back for it (overlap `queue_one`) becomes due now, and a
-- waiting worker is woken for it.
function Recurring.ended(jid, template, now)
  if not template then return end
  local fields = call('hmget', Keys.recurring(template), 'pending', 'last_child', 'queue', 'paused')
  if not fields[1] or fields[1] == '' or fields[2] ~= jid or fields[4] == '1' then return end
  call('zadd', Keys.queue(fields[3], 'recur'), now, template)
  Queue.wake(fields[3])
end

-- The spread of slot `slot`'s start, in [0, jitter) seconds (ms steps): the
-- same for every caller, so no randomness is needed and a retried call agrees.
function Recurring.jitterFor(template, slot, jitter)
  local span = floor((tonumber(jitter) or 0) * 1000)
  if span < 1 then return 0 end
  local text = template .. ':' .. string.format('%d', slot)
  local h = 5381
  for i = 1, #text do h = (h * 33 + text:byte(i)) % 4294967296 end
  return (h % span) / 1000
end

-- The fire slots from `first` (a slot) up to `now`: the last `keep` of them in
-- order, how many there were (capped: far behind counts as "many"), and the
-- first slot after `now`. Far behind, it skips to a window just before `now`
-- rather than stepping through every missed slot.
local WINDOWS = { 3600, 86400, 32 * 86400, 367 * 86400, 9 * 367 * 86400 }
function Recurring.slotsUpTo(spec, zone, first, now, keep)
  local recent, count, s = {}, 0, first
  while s ~= nil and s <= now do
    count = count + 1
    recent[#recent + 1] = s
    if #recent > keep then table.remove(recent, 1) end
    if count == 64 then
      for _, window in ipairs(WINDOWS) do
        local from = Cron.next(spec, zone, now - window)
        if from ~= nil and from <= now and from > s then
          s, recent, count = from, {}, count + 1
          recent[1] = s
          break
        end
      end
    end
    if count > 4096 then return recent, count, Cron.next(spec, zone, now) end
    s = Cron.next(spec, zone, s)
  end
  return recent, count, s
end

-- Whether job `jid` (a template's last child) has not finished yet.
local function unfinished(jid)
  if not jid or jid == '' then return false end
  local state = call('hget', Keys.job(jid), 'state')
  return state ~= false and state ~= 'complete' and state ~= 'failed'
end

-- Schedule template `template` of `queue` at slot `slot` (nil: no slot left).
local function scheduleCron(queue, template, slot, jitter)
  local recur = Keys.queue(queue, 'recur')
  if slot == nil then
    call('zadd', recur, Recurring.PAUSED_SCORE, template)
    call('hset', Keys.recurring(template), 'slot', '')
    return
  end
  call('zadd', recur, slot + Recurring.jitterFor(template, slot, jitter), template)
  call('hset', Keys.recurring(template), 'slot', string.format('%d', slot))
end
Recurring.scheduleCron = scheduleCron

-- Spawn the due runs of cron template `template` (its fields in `values`), by
-- its catch-up and overlap policies; returns how many it spawned (<= room).
function Recurring.spawnCron(queue, template, values, now, room, historyLimit)
  local finite = Args.finiteOrNil
  local okSpec, spec = pcall(Cron.parse, values[11] or '')
  local okZone, zone = pcall(Cron.zone, values[12] or '[[0,0]]')
  -- Written by hand or by another client: passed over, as a bad interval is.
  if values[1] == false or not okSpec or not okZone then return 0 end
  local overlap, catchup = values[13] or 'allow', values[14] or 'latest'
  local jitter, backlog = finite(values[15]) or 0, finite(values[7]) or 0
  local first = finite(values[16])
  local lastChild, pending = values[17], finite(values[18])
  local key = Keys.recurring(template)
  if first == nil then
    scheduleCron(queue, template, Cron.next(spec, zone, now), jitter)
    return 0
  end

  local keep = 1
  if catchup == 'all' and overlap == 'allow' then keep = backlog > 0 and backlog or 100 end
  local recent, count, following = Recurring.slotsUpTo(spec, zone, first, now, keep)
  local runs = {}
  if catchup == 'none' then
    if count == 1 then runs = recent end
  elseif catchup == 'all' and overlap == 'allow' then
    runs = recent
  elseif #recent > 0 then
    runs = { recent[#recent] }
  end
  -- A run held back by `queue_one` comes first, once its predecessor is done.
  if pending and not unfinished(lastChild) then
    table.insert(runs, 1, pending)
    -- One run, or it would overlap the next: the latest nominal time.
    if overlap ~= 'allow' then runs = { runs[#runs] } end
    pending = nil
  elseif overlap ~= 'allow' and unfinished(lastChild) then
    if overlap == 'queue_one' and #runs > 0 then pending = runs[#runs] end
    if overlap == 'skip' and #runs > 0 then call('hincrby', key, 'skipped', #runs) end
    runs = {}
  end

  local t = {
    klass = values[1], data = values[2], priority = finite(values[3]) or 0,
    tagsText = values[4], tags = Tags.decode(values[4]), retries = values[5],
    throttles = values[8], unique = values[19] or nil,
  }
  local count0 = finite(values[9]) or 0
  local n, held = 0, 0
  for i = 1, #runs do
    if n >= room then
      -- Out of room in this pop: the rest are spawned by the next one.
      following = runs[i]
      break
    end
    local child = template .. '-' .. (count0 + n + 1)
    if writeChild(queue, template, child, t, runs[i], now, historyLimit) then
      n, lastChild = n + 1, child
    else
      held = held + 1 -- its unique key is held by a live job: skipped
    end
  end
  if held > 0 then call('hincrby', key, 'skipped', held) end
  call('hset', key, 'count', count0 + n, 'last_child', lastChild or '',
    'pending', pending and string.format('%d', pending) or '')
  scheduleCron(queue, template, following, jitter)
  return n
end
