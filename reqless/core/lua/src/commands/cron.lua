-- Cron expressions (docs/cron.md): their next fire times, computed by the same
-- code that schedules cron templates, so a client can show what will happen.

-- The latest `after`: 9999-12-31T23:59:59Z. Later instants do not print as
-- whole numbers in JSON, and no schedule needs them.
local LATEST = 253402300799

-- cron.next
--
-- Arguments: expression, count, after [, zone]
-- Reply: JSON array of `count` fire times (whole UTC seconds), the first
--   strictly after `after`, each after the previous; shorter only when the
--   expression fires no more within 400 years. `zone` is the JSON array of
--   [utc_seconds, offset_seconds] transitions (reqless.cron.zone_offsets);
--   absent or empty, UTC.
-- Errors: Cron(): Arg "expression" missing; Cron(): field "<field>" ... in
--   "<expression>" (and the other Cron.parse errors); Cron(): Arg "count" must
--   be a whole number from 1 to 100: <v>; Cron(): Arg "after" must be a time
--   from 0 to 253402300799: <v>; Cron(): Arg "zone" ...: <v>
-- Events: none.
-- Keys: none.
-- Writes: none
Commands['cron.next'] = function(now, args)
  local text = Args.require(args[1], 'Cron(): Arg "expression" missing')
  local countMessage = 'Cron(): Arg "count" must be a whole number from 1 to 100: '
  local count = Args.finite(Args.require(args[2], countMessage .. 'nil'), countMessage)
  if count ~= floor(count) or count < 1 or count > 100 then
    error(countMessage .. tostring(args[2]))
  end
  local afterMessage = 'Cron(): Arg "after" must be a time from 0 to ' .. LATEST .. ': '
  local after = Args.finite(Args.require(args[3], afterMessage .. 'nil'), afterMessage)
  if after < 0 or after > LATEST then error(afterMessage .. tostring(args[3])) end
  local spec = Cron.parse(text)
  local zone = Cron.zone(args[4])
  local times = {}
  for _ = 1, count do
    after = Cron.next(spec, zone, after)
    if after == nil then break end
    times[#times + 1] = string.format('%d', after)
  end
  return '[' .. table.concat(times, ',') .. ']'
end
