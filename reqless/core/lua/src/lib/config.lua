-- Configuration: explicitly set values live in the hash `ql:config` as the exact
-- text received; options with a built-in default fall back to it when unset.
-- Values are read fresh on every call; a command reads all it needs in one HMGET.
Config.defaults = {
  ['application'] = 'reqless',
  ['grace-period'] = '10',
  ['heartbeat'] = '60',
  ['jobs-history'] = '604800',
  ['jobs-history-count'] = '50000',
  ['max-job-history'] = '100',
  ['max-pop-retry'] = '1',
  ['max-worker-age'] = '86400',
}

-- The value of one option (stored text, else the default, else nil).
function Config.get(name)
  local value = call('hget', Keys.CONFIG, name)
  if value == false then return Config.defaults[name] end
  return value
end

-- Values of several options at once: a table name -> text or nil. A name with
-- no stored value and no default is absent from the table.
function Config.read(names)
  local values = call('hmget', Keys.CONFIG, unpack(names))
  local out = {}
  for i, name in ipairs(names) do
    local value = values[i]
    if value == false then value = Config.defaults[name] end
    out[name] = value
  end
  return out
end

-- The numeric value of `name` in `values`, else of `fallback` (a per-queue
-- option falls back to the global one when it is absent). A stored value that
-- is not a finite number (written by some client that did not check it) is
-- passed over for the next candidate and finally the built-in default, so one
-- bad write cannot stop every pop or complete.
function Config.number(values, name, fallback)
  -- No loop over {name, fallback}: this runs several times in every pop and
  -- complete, and a table per call costs more than the lookups.
  local n = Args.finiteOrNil(values[name])
  if n ~= nil then return n end
  if fallback ~= nil then
    n = Args.finiteOrNil(values[fallback])
    if n ~= nil then return n end
  end
  local default = Config.defaults[fallback or name] or Config.defaults[name]
  local n = Args.finiteOrNil(default)
  if n == nil then
    error('Config(): "' .. name .. '" is not a number: ' .. tostring(values[name]))
  end
  return n
end

-- One numeric option, read on its own.
function Config.getNumber(name)
  return Config.number({ [name] = Config.get(name) }, name)
end

-- What config.set accepts for the options the core reads as numbers: a finite
-- number, maybe whole, at least `least` (the Python client's rules). Values that
-- stop all work (`max-pop-retry 0`: every pop returns nothing) are refused so
-- that no client can store them. `heartbeat` and `jobs-history` take any finite
-- number, and an empty text stays valid, because the specification's examples
-- need them (core-decisions.md). A per-queue `<queue>-heartbeat` or
-- `<queue>-max-pop-retry` follows its global option.
Config.rules = {
  ['heartbeat'] = { meaning = "seconds a popped job's lock lasts" },
  ['grace-period'] = { least = 0, meaning = 'seconds of grace after a lock expires' },
  ['jobs-history'] = { meaning = 'seconds completed jobs are kept' },
  ['jobs-history-count'] = { least = 0, whole = true, meaning = 'completed jobs kept' },
  ['max-job-history'] = {
    least = 0, whole = true, meaning = 'history entries kept per job (0: all)',
  },
  ['max-pop-retry'] = {
    least = 1, whole = true, meaning = 'passes a pop makes past throttled jobs',
  },
  ['max-worker-age'] = { least = 0.001, meaning = 'seconds an idle worker stays listed' },
  -- No default in Config.defaults (config.getAll lists the specified options
  -- only): unset, job.complete uses Job.RESULT_LIMIT.
  ['max-result-size'] = { least = 0, whole = true, meaning = 'bytes a job result may hold' },
}

-- The rule of option `name` (itself or its per-queue form), or nil.
function Config.rule(name)
  local rule = Config.rules[name]
  if rule then return rule end
  for _, global in ipairs({ 'heartbeat', 'max-pop-retry' }) do
    local suffix = '-' .. global
    if #name > #suffix and name:sub(-#suffix) == suffix then return Config.rules[global] end
  end
  return nil
end

-- Raise the config.set error when `text` cannot be the value of option `name`.
function Config.check(name, text)
  local rule = Config.rule(name)
  if rule == nil or text == '' then return end
  local number = Args.finiteOrNil(text)
  local problem = nil
  if number == nil then
    problem = 'must be a finite number'
  elseif rule.whole and number ~= floor(number) then
    problem = 'must be a whole number'
  elseif rule.least and number < rule.least then
    problem = 'must be at least ' .. rule.least
  end
  if problem then
    error('config.set(): option "' .. name .. '" ' .. problem .. ' (' .. rule.meaning
      .. '), not ' .. encode(text))
  end
end
