-- Entry point, shared by both forms of the core. The EVALSHA script runs this
-- whole file per call and ends with `return dispatch(KEYS, ARGV)` (added by the
-- builder); the function library (reqless/core/script.py) runs it once per
-- server and calls `dispatch` for every FCALL, so everything above is built
-- once and only the per-call state below is reset.
--
-- A call names no key, except a call made in a namespace, which names the
-- namespace's prefix `ql:{<name>}:` as its one key (so a cluster routes it to
-- the namespace's slot); any other key is refused, as before namespaces.
local function dispatch(keys, argv)
  if #keys == 0 then
    Keys.use('ql:')
  elseif #keys == 1 and string.sub(keys[1], 1, 4) == 'ql:{' then
    Keys.use(Keys.namespacePrefix(keys[1]))
  else
    error('No Keys should be provided')
  end
  local commandName = argv[1]
  if commandName == nil then error('Must provide a command') end
  local handler = Commands[commandName]
  if handler == nil then error('Unknown command ' .. commandName) end
  local now = tonumber(argv[2])
  if now == nil or now ~= now or now == math.huge or now == -math.huge then
    error('Arg "now" missing or not a number: ' .. tostring(argv[2]))
  end
  local commandArgs = {}
  for i = 3, #argv do commandArgs[i - 2] = argv[i] end
  -- The only per-call state (the function library keeps everything else).
  Throttle.cache = {}
  Throttle.templates = nil
  Group.served = 0
  Queue.wakes = {}
  Queue.lookAgain = false
  return handler(now, commandArgs)
end
