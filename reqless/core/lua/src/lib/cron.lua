-- Cron expressions and their next fire times (docs/cron.md). Redis scripts have
-- no os.date and no timezone database, so dates are civil-calendar arithmetic on
-- days since the epoch, and a zone is the list of UTC-offset transitions the
-- client sends: { {utc_seconds, offset_seconds}, ... } (Cron.zone).

local FIELDS = {
  { name = 'minute', low = 0, high = 59 },
  { name = 'hour', low = 0, high = 23 },
  { name = 'day-of-month', low = 1, high = 31 },
  { name = 'month', low = 1, high = 12,
    names = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6,
              jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 } },
  -- 7 is Sunday too; it is folded onto 0 once the field is read.
  { name = 'day-of-week', low = 0, high = 7,
    names = { sun = 0, mon = 1, tue = 2, wed = 3, thu = 4, fri = 5, sat = 6 } },
}
local MACROS = {
  ['@yearly'] = '0 0 1 1 *', ['@annually'] = '0 0 1 1 *', ['@monthly'] = '0 0 1 * *',
  ['@weekly'] = '0 0 * * 0', ['@daily'] = '0 0 * * *', ['@midnight'] = '0 0 * * *',
  ['@hourly'] = '0 * * * *',
}
-- A search gives up this far past its start: the Gregorian calendar repeats
-- every 400 years, so an expression that matches nothing in that span never will.
local GIVE_UP = 400 * 366 * 86400
-- Where parsing checks that an expression can fire: 28 years from 2000-01-01
-- hold every (month, day, weekday) combination the calendar has.
local PROBE_FROM, PROBE_SPAN = 946684800, 28 * 366 * 86400

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
function Cron.days(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local doy = floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy - 719468
end

-- The year, month and day of `days` since 1970-01-01 (the inverse of Cron.days).
function Cron.civil(days)
  local z = days + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- One value of a field: a number or (month, day-of-week) a name.
function Cron.value(text, field, fail)
  local named = field.names and field.names[text:lower()]
  if named ~= nil then return named end
  if not text:find('^%d+$') then fail('value "' .. text .. '" is not a number') end
  local n = tonumber(text)
  if n < field.low or n > field.high then
    fail('value "' .. text .. '" out of range ' .. field.low .. '-' .. field.high)
  end
  return n
end

-- One item of a list: `*`, `a`, `a-b`, each optionally `/step` (`a/step` runs
-- from a to the field's top, as in most crons). Marks its values in `set`.
function Cron.item(text, field, set, fail)
  if text == '' then fail('has an empty list item') end
  local base, step = text:match('^([^/]*)/(.*)$')
  if base == nil then base = text end
  local low, high = field.low, field.high
  if base ~= '*' then
    local a, b = base:match('^([^-]+)-([^-]+)$')
    if a == nil then
      if base:find('-') then fail('range "' .. base .. '" is not a-b') end
      low = Cron.value(base, field, fail)
      if step == nil then high = low end
    else
      low, high = Cron.value(a, field, fail), Cron.value(b, field, fail)
      if low > high then fail('range "' .. base .. '" runs backwards') end
    end
  end
  local by = 1
  if step ~= nil then
    if not step:find('^%d+$') or tonumber(step) < 1 then
      fail('step "' .. step .. '" is not a whole number of at least 1')
    end
    by = tonumber(step)
  end
  for v = low, high, by do set[v] = true end
end

-- The set of values one field allows; a restricted field (Vixie cron) is one
-- that does not start with `*`.
function Cron.field(text, field, expression)
  local function fail(problem)
    error('Cron(): field "' .. field.name .. '" ' .. problem .. ' in "' .. expression .. '"')
  end
  local set = {}
  for item in (text .. ','):gmatch('([^,]*),') do Cron.item(item, field, set, fail) end
  if set[7] and field.name == 'day-of-week' then set[0], set[7] = true, nil end
  return set, text:sub(1, 1) ~= '*'
end

-- `next[v]`: the smallest allowed value >= v of a set over low..high, or nil.
function Cron.nextTable(set, low, high)
  local out, following = {}, nil
  for v = high, low, -1 do
    if set[v] then following = v end
    out[v] = following
  end
  return out
end

-- The parsed expression, or an error naming the field and the problem.
function Cron.parse(text)
  if type(text) ~= 'string' then error('Cron(): the expression must be text') end
  local expression = text:match('^%s*(.-)%s*$')
  if expression == '' then error('Cron(): the expression is empty') end
  local expanded = MACROS[expression:lower()]
  if expanded == nil and expression:sub(1, 1) == '@' then
    error('Cron(): unknown macro "' .. expression .. '"')
  end
  local parts = {}
  for part in (expanded or expression):gmatch('%S+') do parts[#parts + 1] = part end
  if #parts ~= 5 then
    error('Cron(): expected 5 fields (minute hour day-of-month month day-of-week), got '
      .. #parts .. ' in "' .. expression .. '"')
  end
  local spec, restricted = { text = expression }, {}
  for i, field in ipairs(FIELDS) do spec[i], restricted[i] = Cron.field(parts[i], field, expression) end
  spec.minutes, spec.hours = Cron.nextTable(spec[1], 0, 59), Cron.nextTable(spec[2], 0, 23)
  -- Vixie cron: both day fields restricted, a day matches either; else both.
  spec.either = restricted[3] and restricted[5]
  -- Wildcard minute or hour: fires by the clock through DST changes (docs/cron.md).
  spec.wildcard = not (restricted[1] and restricted[2])
  if Cron.firstLocal(spec, PROBE_FROM, PROBE_FROM + PROBE_SPAN) == nil then
    error('Cron(): "' .. expression .. '" never fires (no date matches its day and month fields)')
  end
  return spec
end

-- Whether day `d` of the month, `days` since the epoch, matches (1970-01-01
-- was a Thursday, weekday 4).
function Cron.dayMatches(spec, days, d)
  local dom, dow = spec[3][d] == true, spec[5][(days + 4) % 7] == true
  if spec.either then return dom or dow end
  return dom and dow
end

-- The first local wall-clock second >= lo and < hi (seconds since the epoch as
-- if local time were UTC) that the expression matches, or nil. Skips whole
-- months, days and hours that cannot match.
function Cron.firstLocal(spec, lo, hi)
  local t = math.ceil(lo / 60) * 60
  local days = floor(t / 86400)
  local y, m, d = Cron.civil(days)
  local hour, minute = floor((t - days * 86400) / 3600), floor((t % 3600) / 60)
  while days * 86400 + hour * 3600 + minute * 60 < hi do
    if not spec[4][m] then
      m, d, hour, minute = m + 1, 1, 0, 0
      if m == 13 then y, m = y + 1, 1 end
      days = Cron.days(y, m, 1)
    elseif not Cron.dayMatches(spec, days, d) or spec.hours[hour] == nil then
      days, hour, minute = days + 1, 0, 0
      y, m, d = Cron.civil(days)
    else
      local h = spec.hours[hour]
      if h ~= hour then hour, minute = h, 0 end
      local mm = spec.minutes[minute]
      if mm ~= nil then
        local found = days * 86400 + hour * 3600 + mm * 60
        if found < hi then return found end
        return nil
      end
      hour, minute = hour + 1, 0
      if hour == 24 then
        days, hour = days + 1, 0
        y, m, d = Cron.civil(days)
      end
    end
  end
  return nil
end

-- A zone's transitions from their JSON text (nil or '' is UTC), or an error
-- naming the argument: a non-empty array of [utc_seconds, offset_seconds]
-- pairs of whole numbers, instants increasing, offsets within a day.
function Cron.zone(text)
  if text == nil or text == '' then return { { 0, 0 } } end
  local function fail(problem)
    error('Cron(): Arg "zone" ' .. problem .. ': ' .. tostring(text))
  end
  local ok, zone = pcall(decode, text)
  if not ok or type(zone) ~= 'table' or #zone == 0 then
    fail('is not a non-empty JSON array of [utc_seconds, offset_seconds] pairs')
  end
  local count = 0
  for _ in pairs(zone) do count = count + 1 end
  if count ~= #zone then fail('is not a JSON array') end
  for i, pair in ipairs(zone) do
    local at, offset = type(pair) == 'table' and pair[1], type(pair) == 'table' and pair[2]
    if type(at) ~= 'number' or type(offset) ~= 'number' or #pair ~= 2
      or at ~= floor(at) or offset ~= floor(offset) or math.abs(at) > 1e13 then
      fail('entry ' .. i .. ' is not a pair of whole numbers')
    end
    if math.abs(offset) >= 86400 then fail('entry ' .. i .. ' has an offset beyond a day') end
    if i > 1 and at <= zone[i - 1][1] then fail('entry ' .. i .. ' is not after entry ' .. (i - 1)) end
  end
  return zone
end

-- The index of the zone entry in force at instant `t` (the first entry also
-- covers everything before it).
function Cron.segment(zone, t)
  local lo, hi = 1, #zone
  while lo < hi do
    local mid = floor((lo + hi + 1) / 2)
    if zone[mid][1] <= t then lo = mid else hi = mid - 1 end
  end
  return lo
end

-- The first fire instant (whole UTC seconds) strictly after `after`, or nil
-- when there is none within 400 years. Walks the zone's offset segments; DST
-- rules as in docs/cron.md: a wildcard expression follows the clock (skips
-- local times that do not exist, fires in both runs of a repeated hour); a
-- fixed one fires at the transition for a skipped local time and only in the
-- first run of a repeated hour.
function Cron.next(spec, zone, after)
  local s = floor(after) + 1
  local limit = s + GIVE_UP
  local i = Cron.segment(zone, s)
  while true do
    local from, offset = zone[i][1], zone[i][2]
    if i == 1 then from = s end
    local to = zone[i + 1] and zone[i + 1][1] or limit
    local lo = math.max(s, from) + offset
    if not spec.wildcard and i > 1 then
      local previous = zone[i - 1][2]
      if from >= s then lo = from + previous else lo = math.max(lo, from + previous) end
    end
    local found = Cron.firstLocal(spec, lo, to + offset)
    if found ~= nil then return math.max(found - offset, from) end
    if zone[i + 1] == nil or to >= limit then return nil end
    i = i + 1
  end
end
