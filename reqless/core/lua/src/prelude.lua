-- Namespace tables and local aliases shared by every other file.
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
local Job = {}       -- job records
local Queue = {}     -- queue sets
local Recurring = {} -- recurring templates
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
