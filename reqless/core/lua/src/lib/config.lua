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
-- option falls back to the global one only when it is absent).
function Config.number(values, name, fallback)
  local text = values[name]
  if text == nil and fallback then
    name, text = fallback, values[fallback]
  end
  local n = Args.number(text)
  if n == nil then
    error('Config(): "' .. name .. '" is not a number: ' .. tostring(text))
  end
  return n
end

-- One numeric option, read on its own.
function Config.getNumber(name)
  return Config.number({ [name] = Config.get(name) }, name)
end
