-- Recurring templates: spawning children into a queue's work set during pop and
-- peek (docs/concepts.md, Scheduled and recurring jobs).

local TEMPLATE_FIELDS = {
  'klass', 'data', 'priority', 'tags', 'retries', 'interval', 'backlog', 'throttles', 'count',
}

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
  local tags = Tags.decode(tagsText)
  while s <= now and spawned < room do
    count, spawned = count + 1, spawned + 1
    local child = template .. '-' .. count
    Recurring.evict(child, now)
    for _, tag in ipairs(tags) do Tags.index(child, tag, now) end
    call('hset', Keys.job(child),
      'jid', child, 'klass', klass, 'data', data or '{}', 'priority', priority,
      'tags', tagsText or '{}', 'state', 'waiting', 'worker', '', 'expires', 0,
      'queue', queue, 'retries', retries or 0, 'remaining', retries or 0,
      'time', string.format('%.20f', s), 'throttles', throttles or '[]',
      'spawned_from_jid', template)
    History.append(child, floor(s), 'put', { queue = queue }, historyLimit)
    Queue.addToWork(queue, child, priority, s)
    s = s + interval
  end
  if spawned > 0 then
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
    moved = moved + spawnChildren(queue, template, values, s, now, budget - moved, historyLimit)
  end
end

-- A child name can be used again after its template was cancelled and created
-- anew (the count restarts). The original overwrote the old job's fields and
-- left it in its old sets: still listed as completed (so completed-job expiry
-- would later delete the new child), as failed, or in another worker's and
-- queue's sets. Take the old job out of all of them first.
function Recurring.evict(jid, now)
  local old = call('hmget', Keys.job(jid), 'state', 'queue', 'worker', 'failure', 'tags',
    'throttles')
  local state = old[1]
  if not state then return end
  if old[2] then Queue.remove(old[2], jid) end
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
end
