-- Throttle commands (docs/core-commands.md, throttle.set): set, get, delete, locks,
-- pending, release, rate windows, templates, and the queue-throttle shortcuts.

-- A maximum must be a non-negative integer (0 = unlimited). The original
-- stored any text, which then made every pop consulting the throttle fail,
-- and a fractional maximum let a job be held while a release never found a
-- whole free slot to move it back. Returns the text exactly as given.
local function parseMaximum(value)
  local n = Args.number(value)
  if n == nil or n < 0 or n ~= floor(n) or n == math.huge then
    error('Throttle(): Arg "maximum" missing or not a non-negative integer: ' .. tostring(value))
  end
  return value
end

-- Rate window limits: how many starts one window may log, and its longest span
-- (a year), so a log can neither grow without bound nor outlive its use.
local MAX_RATE, MAX_PER = 1000000, 31622400

-- Parse a rate window (`rate` starts per `per` seconds): both positive, the
-- rate a whole number. `who` names the command in the message.
local function parseRate(who, rate, per)
  local n = Args.number(rate)
  if n == nil or n < 1 or n > MAX_RATE or n ~= floor(n) then
    error(who .. ': Arg "rate" must be a whole number from 1 to ' .. MAX_RATE .. ': '
      .. tostring(rate))
  end
  local s = Args.number(per)
  if s == nil or s <= 0 or s > MAX_PER then
    error(who .. ': Arg "per" must be a number of seconds above 0 and at most ' .. MAX_PER
      .. ': ' .. tostring(per))
  end
  return n, s
end

-- Write the definition of throttle `tid`. An expiration > 0 sets the hash's
-- TTL (in milliseconds, so fractional seconds are honoured); otherwise an
-- existing TTL is kept, because HSET does not clear it.
local function setThrottle(tid, maximum, expiration)
  local key = Keys.throttle(tid)
  call('hset', key, 'id', tid, 'maximum', maximum)
  if expiration > 0 then
    call('pexpire', key, string.format('%d', math.ceil(expiration * 1000)))
  end
end

-- The throttle object: the requested id, the stored maximum read now (0 when
-- absent; omitted when the stored text is not a finite number, which only
-- another client can write) and exactly the Redis TTL of the hash.
-- A throttle with a rate window, or defined by a template, also has `rate`,
-- `per`, `used` (starts in the window now), `reopens` (when a full window
-- next admits a start) and `template` (the pattern it was defined by).
local function describe(tid, now)
  local key = Keys.throttle(tid)
  local stored = call('hmget', key, 'maximum', 'rate')
  local text = stored[1]
  local maximum = 0
  if text then
    maximum = Args.number(text)
    if maximum == math.huge or maximum == -math.huge then maximum = nil end
  end
  local object = { id = tid, maximum = maximum, ttl = call('ttl', key) }
  if stored[2] or (text == false and string.sub(tid, 1, 3) ~= 'ql:') then
    local definition = Throttle.definition(tid)
    if definition.template then
      object.template = definition.template
      object.maximum = definition.maximum
    end
    if definition.rate > 0 then
      object.rate, object.per = definition.rate, definition.per
      object.used = Throttle.used(tid, definition, now)
      if object.used >= definition.rate then
        object.reopens = Throttle.reopens(tid, definition, now)
      end
    end
  end
  return encode(object)
end

-- throttle.set
--
-- Arguments: tid, maximum [, expiration [, rate, <n>, per, <seconds>]]
--   An expiration of 0 keeps an existing TTL. `rate`/`per` (an extension of
--   ours) give the throttle a rate window: at most n job starts in any `per`
--   seconds; left out, the throttle's window (if any) is kept as it is.
-- Reply: nil.
-- Errors: Throttle(): no tid provided;
--   Throttle(): Arg "maximum" missing or not a non-negative integer: <v>;
--   Throttle(): Arg "expiration" not a number: <v> (also for infinities and
--   values above 9e12 seconds, about 285,000 years, which would overflow the
--   server's millisecond clock);
--   Throttle(): Arg "rate" must be a whole number from 1 to 1000000: <v>;
--   Throttle(): Arg "per" must be a number of seconds above 0 and at most
--   31622400: <v>; Throttle(): rate and per go together, as rate <n> per <s>
-- Keys: ql:th:<tid> (fields id and maximum, and rate and per; TTL when
--   expiration > 0).
Commands['throttle.set'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  local maximum = parseMaximum(args[2])
  local message = 'Throttle(): Arg "expiration" not a number: '
  local expiration = Args.optionalNumber(args[3], 0, message)
  if expiration > 9e12 or expiration == -math.huge then error(message .. args[3]) end
  local rate, per
  if #args > 3 then
    if #args ~= 7 or args[4] ~= 'rate' or args[6] ~= 'per' then
      error('Throttle(): rate and per go together, as rate <n> per <s>')
    end
    rate, per = parseRate('Throttle()', args[5], args[7])
  end
  setThrottle(tid, maximum, expiration)
  if rate then call('hset', Keys.throttle(tid), 'rate', rate, 'per', per) end
  return nil
end

-- throttle.clearRate
--
-- An extension of ours: the throttle keeps its maximum and loses its rate
-- window; jobs held on the window go back to their queues' work sets.
-- Arguments: tid
-- Reply: nil.
-- Errors: Throttle(): no tid provided
-- Keys: ql:th:<tid>, its starts log and pending set.
Commands['throttle.clearRate'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  call('hdel', Keys.throttle(tid), 'rate', 'per')
  call('del', Keys.throttleStarts(tid))
  Throttle.cache[tid] = nil
  Throttle.release('', tid, now)
  return nil
end

-- throttle.template.set
--
-- An extension of ours: throttles whose id starts with `prefix` and that have
-- no definition of their own take this one (the longest matching prefix wins),
-- so a throttle per key (`api:customer-42`) needs no set-up and leaves nothing
-- behind when idle (docs/concepts.md, Throttles).
-- Arguments: pattern (`prefix*`), maximum [, rate, <n>, per, <seconds>]
-- Reply: nil.
-- Errors: Throttle(): Arg "pattern" must be a prefix followed by one *, not
--   starting with ql: (which only queue throttles use): <v>;
--   Throttle(): a template needs a maximum above 0 or a rate;
--   the maximum, rate and per errors of throttle.set
-- Keys: ql:th-templates
Commands['throttle.template.set'] = function(now, args)
  local pattern = args[1]
  if pattern == nil or #pattern < 2 or string.sub(pattern, -1) ~= '*'
    or string.find(string.sub(pattern, 1, -2), '*', 1, true)
    or string.sub(pattern, 1, 3) == 'ql:' or string.find(pattern, '%c') then
    error('Throttle(): Arg "pattern" must be a prefix followed by one *, not starting with ql: '
      .. '(which only queue throttles use): ' .. tostring(pattern))
  end
  local maximum = tonumber(parseMaximum(args[2]))
  local definition = { maximum = maximum }
  if #args > 2 then
    if #args ~= 6 or args[3] ~= 'rate' or args[5] ~= 'per' then
      error('Throttle(): rate and per go together, as rate <n> per <s>')
    end
    definition.rate, definition.per = parseRate('Throttle()', args[4], args[6])
  end
  if maximum == 0 and definition.rate == nil then
    error('Throttle(): a template needs a maximum above 0 or a rate')
  end
  call('hset', Keys.THROTTLE_TEMPLATES, pattern, encode(definition))
  return nil
end

-- throttle.template.delete
--
-- Arguments: pattern
-- Reply: 1 when the template existed, else 0.
-- Errors: Throttle(): Arg "pattern" missing
-- Keys: ql:th-templates
Commands['throttle.template.delete'] = function(now, args)
  local pattern = Args.require(args[1], 'Throttle(): Arg "pattern" missing')
  return call('hdel', Keys.THROTTLE_TEMPLATES, pattern)
end

-- throttle.templates
--
-- Arguments: none
-- Reply: JSON array of {pattern, maximum, rate?, per?}, by pattern; `[]` when none.
-- Writes: none
Commands['throttle.templates'] = function(now, args)
  local flat = call('hgetall', Keys.THROTTLE_TEMPLATES)
  local out = {}
  for i = 1, #flat, 2 do
    local ok, definition = pcall(decode, flat[i + 1])
    if ok and type(definition) == 'table' then
      definition.pattern = flat[i]
      out[#out + 1] = definition
    end
  end
  table.sort(out, function(a, b) return a.pattern < b.pattern end)
  return Json.list(out)
end

-- throttle.get
--
-- Arguments: tid
-- Reply: JSON {"id": tid, "maximum": n, "ttl": seconds | -1 | -2}.
-- Errors: Throttle(): no tid provided
-- Writes: none
Commands['throttle.get'] = function(now, args)
  return describe(Args.require(args[1], 'Throttle(): no tid provided'), now)
end

-- throttle.delete
--
-- Arguments: tid
-- Reply: nil. The locks and pending sets are kept.
-- Errors: Throttle(): no tid provided
-- Keys: ql:th:<tid>
Commands['throttle.delete'] = function(now, args)
  call('del', Keys.throttle(Args.require(args[1], 'Throttle(): no tid provided')))
  return nil
end

-- throttle.locks / throttle.pending
--
-- Arguments: tid
-- Reply: JSON array of jids (locks by jid, pending by waiting time), `[]`
--   when empty.
-- Errors: Throttle(): no tid provided
-- Writes: none
Commands['throttle.locks'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  return Json.list(call('zrange', Keys.throttleLocks(tid), 0, -1))
end

Commands['throttle.pending'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  return Json.list(call('zrange', Keys.throttlePending(tid), 0, -1))
end

-- throttle.release
--
-- Arguments: tid, jid... (zero or more)
-- Reply: nil.
-- Errors: Throttle(): no tid provided; Throttle(): maximum of <tid> is not a
--   number: <v> (a stored maximum written by another client; checked first)
-- Keys: the throttle's locks and pending sets; for jobs moved back: their
--   queue's throttled and work sets.
--
-- Each jid is released in argument order (docs/concepts.md, Throttles). Unlike the original, a jid
-- released from the pending set while no slot is free is moved back to its
-- queue's work set (state still `throttled`) instead of being left in the
-- throttled set forever; it competes again, and is re-checked, at the next pop.
Commands['throttle.release'] = function(now, args)
  local tid = Args.require(args[1], 'Throttle(): no tid provided')
  if #args < 2 then return nil end
  Throttle.maximum(tid)
  local locks, pending = Keys.throttleLocks(tid), Keys.throttlePending(tid)
  for i = 2, #args do
    local jid = args[i]
    local waiting = call('zscore', locks, jid) == false and call('zscore', pending, jid) ~= false
    Throttle.release(jid, tid, now)
    if waiting then Throttle.unhold(jid, now) end
  end
  return nil
end

-- queue.throttle.get
--
-- Arguments: queue
-- Reply: exactly throttle.get ql:q:<queue>.
-- Errors: Throttle(): Arg "queue" missing
-- Writes: none
Commands['queue.throttle.get'] = function(now, args)
  local queue = Args.require(args[1], 'Throttle(): Arg "queue" missing')
  return describe(Keys.queueThrottleId(queue), now)
end

-- queue.throttle.set
--
-- Arguments: queue, maximum
-- Reply: nil. Exactly throttle.set ql:q:<queue> maximum (an existing TTL is kept).
-- Errors: Throttle(): Arg "queue" missing;
--   Throttle(): Arg "maximum" missing or not a non-negative integer: <v>
-- Keys: ql:th:ql:q:<queue>
Commands['queue.throttle.set'] = function(now, args)
  local queue = Args.require(args[1], 'Throttle(): Arg "queue" missing')
  setThrottle(Keys.queueThrottleId(queue), parseMaximum(args[2]), 0)
  return nil
end
