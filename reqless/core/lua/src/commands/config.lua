-- Configuration commands (docs/configuration.md). Values are stored as the exact text
-- received and only converted to numbers where they are used.

-- config.get
--
-- Arguments: key
-- Reply: the option's value as a bulk string (stored text, else the default),
--   or nil when it is neither set nor has a default.
-- Errors: config.get(): Argument 'key' missing
-- Events: none.
-- Keys: reads ql:config.
-- Writes: none
Commands['config.get'] = function(now, args)
  local key = Args.require(args[1], "config.get(): Argument 'key' missing")
  return Config.get(key)
end

-- config.getAll
--
-- Arguments: none
-- Reply: JSON object of every option with a default, overlaid with every field
--   of ql:config; all values are strings.
-- Events: none.
-- Keys: reads ql:config.
-- Writes: none
Commands['config.getAll'] = function(now, args)
  local values = {}
  for name, value in pairs(Config.defaults) do values[name] = value end
  local stored = call('hgetall', Keys.CONFIG)
  for i = 1, #stored, 2 do values[stored[i]] = stored[i + 1] end
  return encode(values)
end

-- config.set
--
-- Arguments: option, value
-- Reply: nil.
-- Errors: config.set(): Arg "option" missing; config.set(): Arg "value" missing;
--   config.set(): option "<option>" must be ... (<meaning>), not "<value>" for a
--   numeric option outside its rule (Config.rules).
-- Events: ql:log {"option":<option>,"event":"config_set","value":<value>}
-- Keys: ql:config (field <option> set to the exact text of value).
Commands['config.set'] = function(now, args)
  local option = Args.require(args[1], 'config.set(): Arg "option" missing')
  local value = Args.require(args[2], 'config.set(): Arg "value" missing')
  Config.check(option, value)
  Events.publish('log', '{"option":' .. encode(option) .. ',"event":"config_set","value":'
    .. encode(value) .. '}')
  call('hset', Keys.CONFIG, option, value)
  return nil
end

-- config.unset
--
-- Arguments: option
-- Reply: nil.
-- Errors: config.unset(): Arg "option" missing
-- Events: ql:log {"event":"config_unset","option":<option>} (also when it was
--   not set).
-- Keys: ql:config (field <option> deleted).
Commands['config.unset'] = function(now, args)
  local option = Args.require(args[1], 'config.unset(): Arg "option" missing')
  Events.publish('log', '{"event":"config_unset","option":' .. encode(option) .. '}')
  call('hdel', Keys.CONFIG, option)
  return nil
end
