-- Namespace tables, local aliases and lazy loading shared by every other file.
--
-- Redis forbids globals, and the assembled chunk is one function limited to 200
-- locals and 60 upvalues, so every function hangs off one of these tables. Each
-- script run starts with fresh tables, so per-call caches (Throttle.cache) are safe.
local Keys = {}      -- key names: the only place that spells out `ql:` prefixes
local Args = {}      -- argument parsing and validation
local Json = {}      -- JSON output quirks (top-level empty lists)
local Config = {}    -- configuration store and defaults
local History = {}   -- per-job history lists
local Events = {}    -- pubsub payloads
local Stats = {}     -- wait/run samples and counters
local Tags = {}      -- tag indexes
local Throttle = {}  -- throttle storage and procedures
local Group = {}     -- fair groups inside a queue
local Batch = {}     -- batches of jobs with callbacks
local Cron = {}      -- cron expressions and next fire times
local Job = {}       -- job records
local Queue = {}     -- queue sets
local Recurring = {} -- recurring templates
local Unique = {}    -- unique keys
local Worker = {}    -- worker registry
local Commands = {}  -- command name -> handler(now, args)

local call = redis.call
local floor = math.floor
local encode = cjson.encode
local decode = cjson.decode
local unpack = unpack

-- Redis caps the number of values `unpack` may spread into one call (about 8000),
-- so variadic commands over long lists go in chunks of this size.
local CHUNK = 4000

-- Wake tokens and waiter registrations outlive a worker's wait by this much
-- (ms), so they vanish soon after the last worker stops waiting.
local WAKE_TTL_MS = 5000

-- Lazy loading. Redis runs the whole script body on every call, so defining all
-- ~180 functions up front would cost every command for all the others. The
-- builder wraps each library and model file in `Lazy(<Namespace>, function() ...
-- end)` and each command file in `LazyCommands({names}, function() ... end)`;
-- a file's definitions are made the first time its namespace or one of its
-- commands is used.
local function Lazy(namespace, loader)
  setmetatable(namespace, {
    __index = function(t, key)
      setmetatable(t, nil)
      loader()
      return rawget(t, key)
    end,
  })
end

local commandLoaders = {}
local function LazyCommands(names, loader)
  for _, name in ipairs(names) do commandLoaders[name] = loader end
end
setmetatable(Commands, {
  __index = function(t, name)
    local loader = commandLoaders[name]
    if loader == nil then return nil end
    for other, l in pairs(commandLoaders) do
      if l == loader then commandLoaders[other] = nil end
    end
    loader()
    return rawget(t, name)
  end,
})
