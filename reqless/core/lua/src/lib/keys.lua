-- Every Redis key and pubsub channel the core uses. No other file spells out a
-- `ql:` prefix.
--
-- Every name starts with the prefix P: `ql:` for a call without a namespace
-- (the layout every reqless client shares, unchanged), `ql:{<namespace>}:` for
-- a call made in a namespace (docs/scale-out.md). The braces are a cluster hash
-- tag: all of a namespace's keys and channels hash to one slot, so each command
-- stays one atomic call on one node. A namespace's events go out with SPUBLISH
-- (sharded pub/sub), which a cluster delivers from that slot's own node.
local P = nil

-- Set before every command by dispatch: the function library keeps this file's
-- state from one call to the next, which may be in another namespace.
function Keys.use(prefix)
  if prefix == P then return end
  P = prefix
  local plain = prefix == 'ql:'
  Keys.QUEUES = P .. 'queues'
  Keys.PAUSED = P .. 'paused_queues'
  Keys.COMPLETED = P .. 'completed'
  Keys.FAILURES = P .. 'failures'
  Keys.WORKERS = P .. 'workers'
  Keys.TRACKED = P .. 'tracked'
  Keys.TAGS = P .. 'tags'
  -- Exists only inside a queue.putMany call (see commands/put.lua).
  Keys.PUT_TEMPLATE = P .. 'put-template'
  Keys.CONFIG = P .. 'config'
  Keys.IDENTIFIER_PATTERNS = P .. 'qp:identifiers'
  Keys.PRIORITY_PATTERNS = P .. 'qp:priorities'
  -- qmore's own keys, read when ours are empty; a namespace has its own.
  Keys.LEGACY_IDENTIFIER_PATTERNS = plain and 'qmore:dynamic' or P .. 'qmore:dynamic'
  Keys.LEGACY_PRIORITY_PATTERNS = plain and 'qmore:priority' or P .. 'qmore:priority'
  -- Throttle templates: pattern -> definition (lib/throttle.lua).
  Keys.THROTTLE_TEMPLATES = P .. 'th-templates'
  -- Batches by creation time (lib/batch.lua).
  Keys.BATCHES = P .. 'batches'
  Keys.PUBLISH = plain and 'publish' or 'spublish'
  -- In a namespace an unknown dependency is refused (Job.requireKnown).
  Keys.NAMESPACED = not plain
end

-- A namespace's prefix from the one key a namespaced call passes, or an error.
function Keys.namespacePrefix(key)
  local name = string.match(key, '^ql:{(.*)}:$')
  if name == nil or name == '' or string.find(name, '[{}%c%s]') or #name > 64 then
    error('Namespace key must be ql:{<name>}: with a name of 1 to 64 characters '
      .. 'without braces, spaces or control characters: ' .. tostring(key))
  end
  return key
end

function Keys.job(jid) return P .. 'j:' .. jid end
function Keys.history(jid) return P .. 'j:' .. jid .. '-history' end
function Keys.dependencies(jid) return P .. 'j:' .. jid .. '-dependencies' end
function Keys.dependents(jid) return P .. 'j:' .. jid .. '-dependents' end

-- kind is one of: work, locks, scheduled, depends, throttled, recur, rated (rate-window
-- timers), and the group kinds below
function Keys.queue(queue, kind) return P .. 'q:' .. queue .. '-' .. kind end
-- The id (not the key) of a queue's implicit throttle: the same name in every
-- namespace, as throttle names are.
function Keys.queueThrottleId(queue) return 'ql:q:' .. queue end

function Keys.throttle(tid) return P .. 'th:' .. tid end
function Keys.throttleLocks(tid) return P .. 'th:' .. tid .. '-locks' end
function Keys.throttlePending(tid) return P .. 'th:' .. tid .. '-pending' end

-- Rate windows (lib/throttle.lua): the start times of a throttle's jobs within
-- its window; a queue's timers for throttles whose window reopens later.
function Keys.throttleStarts(tid) return P .. 'th:' .. tid .. '-starts' end

-- Fair groups (lib/group.lua): the waiting jobs of one group of a queue. The
-- queue's other group keys are Keys.queue(queue, kind) with kind one of
-- groups, group-heads, group-parked, group-weights, group-served, grouped.
function Keys.queueGroup(queue, group) return P .. 'q:' .. queue .. '-g:' .. group end

-- Following a job (docs/following-jobs.md): the list a job.wait caller BLPOPs,
-- fed one token (the final state) per waiter when the job finishes; a batch,
-- the set of its jobs and the set of those canceled (a canceled job is deleted,
-- so only this tells it from one whose record expired).
function Keys.jobDone(jid) return P .. 'j:' .. jid .. '-done' end
function Keys.batch(bid) return P .. 'b:' .. bid end
function Keys.batchJobs(bid) return P .. 'b:' .. bid .. '-jobs' end
function Keys.batchCanceled(bid) return P .. 'b:' .. bid .. '-canceled' end

function Keys.failureGroup(group) return P .. 'f:' .. group end
function Keys.workerJobs(worker) return P .. 'w:' .. worker .. ':jobs' end
function Keys.tag(tag) return P .. 't:' .. tag end
function Keys.stats(kind, bin, queue) return P .. 's:' .. kind .. ':' .. bin .. ':' .. queue end
function Keys.recurring(jid) return P .. 'r:' .. jid end
-- The holder (a jid) of a unique key (lib/unique.lua).
function Keys.unique(key) return P .. 'u:' .. key end

-- Blocking pickup (docs/core-design.md): these exist only while a worker of
-- ours waits on the queue. `waiting` holds worker -> deadline; `wake` is the
-- list such workers BLPOP, fed one token per job made ready.
function Keys.waiting(queue) return P .. 'waiting:' .. queue end
function Keys.wake(queue) return P .. 'wake:' .. queue end

function Keys.channel(name) return P .. name end
function Keys.workerChannel(worker) return P .. 'w:' .. worker end

Keys.use('ql:')
