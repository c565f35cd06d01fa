-- Queue patterns (docs/core-commands.md, queueIdentifierPatterns.setAll): opaque configuration for worker programs,
-- stored and returned as the exact texts given. The core never interprets them.

-- The built-in values: identifier `default` and the priority default list.
local PATTERN_DEFAULTS = {
  identifier = '["*"]',
  priority = '{"fairly": false, "pattern": ["default"]}',
}

-- queueIdentifierPatterns.getAll
--
-- Arguments: none
-- Reply: JSON object name -> stored JSON text; always has `default`.
-- Keys: reads ql:qp:identifiers, else the legacy qmore:dynamic.
-- Writes: none
Commands['queueIdentifierPatterns.getAll'] = function(now, args)
  local fields = call('hgetall', Keys.IDENTIFIER_PATTERNS)
  if #fields == 0 then fields = call('hgetall', Keys.LEGACY_IDENTIFIER_PATTERNS) end
  local patterns = { default = PATTERN_DEFAULTS.identifier }
  for i = 1, #fields, 2 do patterns[fields[i]] = fields[i + 1] end
  return encode(patterns)
end

-- queueIdentifierPatterns.setAll
--
-- Arguments: [name, patterns_json]... (zero or more pairs)
-- Reply: nil.
-- Errors: Odd number of identifier patterns: <n> arguments;
--   Identifier patterns for "<name>" are not a JSON list of strings: <v>
--   (every pair is checked before anything is written; the original stored a
--   JSON string and failed part way on a number)
-- Keys: ql:qp:identifiers (rewritten), qmore:dynamic (deleted).
Commands['queueIdentifierPatterns.setAll'] = function(now, args)
  if #args % 2 == 1 then
    error('Odd number of identifier patterns: ' .. #args .. ' arguments')
  end
  local kept, hasDefault = {}, false
  for i = 1, #args, 2 do
    local name, text = args[i], args[i + 1]
    local message = 'Identifier patterns for "' .. name .. '" are not a JSON list of strings: '
    if #Args.jsonList(text, message) > 0 then
      table.insert(kept, name)
      table.insert(kept, text)
      if name == 'default' then hasDefault = true end
    end
  end
  if not hasDefault then
    table.insert(kept, 'default')
    table.insert(kept, PATTERN_DEFAULTS.identifier)
  end
  call('del', Keys.IDENTIFIER_PATTERNS, Keys.LEGACY_IDENTIFIER_PATTERNS)
  -- CHUNK is even, so name/value pairs never straddle two HSET calls.
  Args.chunked('hset', Keys.IDENTIFIER_PATTERNS, kept)
  return nil
end

-- queuePriorityPatterns.getAll
--
-- Arguments: none
-- Reply: JSON array of stored texts, never empty.
-- Keys: reads ql:qp:priorities, else the legacy qmore:priority.
-- Writes: none
Commands['queuePriorityPatterns.getAll'] = function(now, args)
  local patterns = call('lrange', Keys.PRIORITY_PATTERNS, 0, -1)
  if #patterns == 0 then patterns = call('lrange', Keys.LEGACY_PRIORITY_PATTERNS, 0, -1) end
  if #patterns == 0 then patterns = { PATTERN_DEFAULTS.priority } end
  return encode(patterns)
end

-- The decoded priority pattern `text`, or an error unless it is an object
-- with a `pattern` list of strings and, if present, a boolean `fairly`.
local function decodePriorityPattern(text)
  local message = 'Priority pattern is not a JSON object with a "pattern" list of strings: '
  local decoded = Args.json(text, message)
  if type(decoded) ~= 'table' or type(decoded.pattern) ~= 'table' then error(message .. text) end
  if decoded.fairly ~= nil and type(decoded.fairly) ~= 'boolean' then error(message .. text) end
  local count = 0
  for _, item in pairs(decoded.pattern) do
    if type(item) ~= 'string' then error(message .. text) end
    count = count + 1
  end
  if count ~= #decoded.pattern then error(message .. text) end
  return decoded
end

-- queuePriorityPatterns.setAll
--
-- Arguments: pattern_json... (zero or more)
-- Reply: nil.
-- Errors: Priority pattern is not a JSON object with a "pattern" list of
--   strings: <v> (also for a `fairly` that is not a boolean). Every argument
--   is checked before anything is written; the original deleted the stored
--   patterns first, so a malformed call reset them.
-- Keys: ql:qp:priorities (rewritten), qmore:priority (deleted).
Commands['queuePriorityPatterns.setAll'] = function(now, args)
  local hasDefault = false
  for _, text in ipairs(args) do
    local pattern = decodePriorityPattern(text).pattern
    if #pattern == 1 and pattern[1] == 'default' then hasDefault = true end
  end
  call('del', Keys.PRIORITY_PATTERNS, Keys.LEGACY_PRIORITY_PATTERNS)
  if #args == 0 then return nil end
  local patterns = {}
  for i, text in ipairs(args) do patterns[i] = text end
  if not hasDefault then table.insert(patterns, PATTERN_DEFAULTS.priority) end
  Args.chunked('rpush', Keys.PRIORITY_PATTERNS, patterns)
  return nil
end
