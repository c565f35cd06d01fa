-- queue.stats (docs/core-commands.md, queue.stats): the day's counters and wait/run summaries.

-- A stored number, or 0 when absent or not a finite number (JSON cannot carry
-- NaN or infinity, so one bad field must not break the whole reply).
local function storedNumber(text)
  local n = Args.number(text)
  if n == nil or n == math.huge or n == -math.huge then return 0 end
  return n
end

-- count, mean, sample std and histogram of the sample hash `key`.
local function summary(key, fields)
  local values = call('hmget', key, 'total', 'mean', 'vk', unpack(fields))
  local count, mean, vk = storedNumber(values[1]), storedNumber(values[2]), storedNumber(values[3])
  local std = 0
  if count > 1 and vk > 0 then std = math.sqrt(vk / (count - 1)) end
  local histogram = {}
  for i = 1, #fields do histogram[i] = storedNumber(values[i + 3]) end
  return { count = count, mean = mean, std = std, histogram = histogram }
end

-- queue.stats
--
-- Arguments: queue, date
-- Reply: JSON {"retries", "failed", "failures", "wait": {count, mean, std,
--   histogram}, "run": {...}} for the day bin of `date` (`now` is ignored).
-- Errors: Queue(): no queue name provided;
--   Stats(): Arg "date" missing or not a number: <v>
-- Keys: reads ql:s:wait|run|stats:<bin>:<queue>.
-- Writes: none
Commands['queue.stats'] = function(now, args)
  local queue = Args.require(args[1], 'Queue(): no queue name provided')
  local date = Args.requireNumber(args[2], 'Stats(): Arg "date" missing or not a number: ')
  local bin = Stats.bin(date)
  local counters = call('hmget', Keys.stats('stats', bin, queue), 'retries', 'failed', 'failures')
  local fields = Stats.histogramFields()
  return encode({
    retries = storedNumber(counters[1]),
    failed = storedNumber(counters[2]),
    failures = storedNumber(counters[3]),
    wait = summary(Keys.stats('wait', bin, queue), fields),
    run = summary(Keys.stats('run', bin, queue), fields),
  })
end
