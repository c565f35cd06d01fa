-- Statistics: per queue and day bin, hashes of wait and run samples (count,
-- Welford mean and sum of squared deviations, histogram) and failure counters.

function Stats.bin(t)
  local bin = t - (t % 86400) -- Lua's % is floored, so negative times bin downwards
  if bin == 0 then return 0 end -- not -0, which would be spelled `-0` in the key
  return bin
end

-- The histogram field for a sample of x seconds.
function Stats.bucket(x)
  local b = floor(x)
  if b == 0 then b = 0 end -- a sample of -0 belongs in s0, not `s-0`
  if b < 60 then return 's' .. b end
  if b < 3600 then return 'm' .. floor(b / 60) end
  if b < 86400 then return 'h' .. floor(b / 3600) end
  return 'd' .. floor(b / 86400)
end

-- Record samples `values` (in order) of `kind` ('wait' or 'run') for `queue`
-- in the bin of `now`: one read and one write however many samples there are.
function Stats.record(kind, queue, now, values)
  if #values == 0 then return end
  local key = Keys.stats(kind, Stats.bin(now), queue)
  if #values == 1 then return Stats.recordOne(key, values[1]) end
  local buckets, fields = {}, { 'total', 'mean', 'vk' }
  for _, x in ipairs(values) do
    local field = Stats.bucket(x)
    if buckets[field] == nil then
      buckets[field] = 0
      table.insert(fields, field)
    end
  end
  local stored = call('hmget', key, unpack(fields))
  local n, mean, vk = tonumber(stored[1]), tonumber(stored[2]) or 0, tonumber(stored[3]) or 0
  for _, x in ipairs(values) do
    if n == nil then
      n, mean, vk = 1, x, 0
    else
      n = n + 1
      local delta = x - mean
      mean = mean + delta / n
      vk = vk + (x - mean) * delta
    end
    local field = Stats.bucket(x)
    buckets[field] = buckets[field] + 1
  end
  local writes = {
    'total', n, 'mean', string.format('%.17g', mean), 'vk', string.format('%.17g', vk),
  }
  for i = 4, #fields do
    local field = fields[i]
    table.insert(writes, field)
    table.insert(writes, (tonumber(stored[i]) or 0) + buckets[field])
  end
  call('hset', key, unpack(writes))
end

-- Stats.record for a single sample x (every complete, and most pops), without
-- the tables the general case needs; the same reads and writes.
function Stats.recordOne(key, x)
  local field = Stats.bucket(x)
  local stored = call('hmget', key, 'total', 'mean', 'vk', field)
  local n, mean, vk = tonumber(stored[1]), x, 0
  if n == nil then
    n = 1
  else
    n = n + 1
    local old = tonumber(stored[2]) or 0
    local delta = x - old
    mean = old + delta / n
    vk = (tonumber(stored[3]) or 0) + (x - mean) * delta
  end
  call('hset', key, 'total', n, 'mean', string.format('%.17g', mean),
    'vk', string.format('%.17g', vk), field, (tonumber(stored[4]) or 0) + 1)
end

-- Add `by` to counter `field` (failures, failed, retries) for `queue` at time t.
function Stats.count(queue, t, field, by)
  call('hincrby', Keys.stats('stats', Stats.bin(t), queue), field, by)
end

-- A failure counts in both `failures` and `failed`.
function Stats.failure(queue, now)
  local key = Keys.stats('stats', Stats.bin(now), queue)
  call('hincrby', key, 'failures', 1)
  call('hincrby', key, 'failed', 1)
end

-- The 148 histogram fields in reply order: seconds 0-59, minutes 1-59, hours
-- 1-23, days 1-6. Samples in other fields (negative seconds, 7+ days) still
-- count in count, mean and std.
function Stats.histogramFields()
  local fields = {}
  for i = 0, 59 do table.insert(fields, 's' .. i) end
  for i = 1, 59 do table.insert(fields, 'm' .. i) end
  for i = 1, 23 do table.insert(fields, 'h' .. i) end
  for i = 1, 6 do table.insert(fields, 'd' .. i) end
  return fields
end
