//! The Lua scripts `RedisStore` runs on the server for `put`, `delete` and `scan`, so that each
//! of those calls is atomic there (a script runs alone: no other command interleaves with it).
//! `get` is a single `HGETALL`, atomic by itself.
//!
//! The key layout they work on is documented on [`RedisStore`](super::RedisStore). Every script
//! answers a flat array whose first element is a tag (`written`, `absent`, `conflict`,
//! `deleted`, `page`, `corrupt`); `reply.rs` decodes it. A key holding something this store
//! did not write (another type, missing or malformed fields) is answered with `corrupt` and a
//! reason, never with a script error, so the caller can tell it from a failing server.

use std::sync::LazyLock;

use redis::Script;

/// Lua shared by the scripts: reading one entry's hash and purging index members.
///
/// `read_entry(k)` returns `nil` when `k` does not exist, `false, reason` when it holds
/// something else than an entry, and `ver, val` otherwise (its checks match
/// `reply::entry_from_fields`, which reads entries for `get` without a script). `purge(idx,
/// ttl, m)` drops member `m` from both index sets. `purge_expired(data, idx, ttl, ms)` looks at
/// up to 16 members of the ttl index whose expiry time has passed: a key that is gone leaves
/// both indexes, one that is still there (written again meanwhile) gets its true expiry or,
/// without TTL, leaves the ttl index, so the same members never block the purge.
const PRELUDE: &str = r#"
local function read_entry(k)
  local f = redis.pcall('HMGET', k, 'ver', 'val')
  if f['err'] then return false, 'not an entry hash (' .. f['err'] .. ')' end
  if not f[1] or not f[2] then
    if not f[1] and not f[2] and redis.call('EXISTS', k) == 0 then return nil end
    return false, 'entry hash without its ver and val fields'
  end
  if not string.match(f[1], '^[1-9]%d*$') then return false, 'version is not a positive integer' end
  return f[1], f[2]
end
local function purge(idx, ttl, m)
  redis.call('ZREM', idx, m)
  redis.call('ZREM', ttl, m)
end
local function now_ms()
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
end
local function purge_expired(data, idx, ttl, ms)
  local due = redis.call('ZRANGEBYSCORE', ttl, '-inf', ms, 'LIMIT', 0, 16)
  for _, m in ipairs(due) do
    local left = redis.call('PTTL', data .. m)
    if left == -2 then
      purge(idx, ttl, m)
    elseif left == -1 then
      redis.call('ZREM', ttl, m)
    else
      redis.call('ZADD', ttl, ms + left, m)
    end
  end
end
"#;

/// `put` (compare-and-set). KEYS: entry, index, ttl index. ARGV: expected version (empty: the
/// key must not exist), value, ttl in milliseconds (empty: none), the user key (index member),
/// the entry key prefix (for the purge). Answers `written new_version`, `conflict` or
/// `corrupt reason`.
///
/// Only a write with a TTL purges expired members: each such write adds at most one member to
/// the ttl index and removes up to 16 expired ones, so the indexes cannot fill up with dead
/// keys, and a write without TTL (the common case) pays nothing for it.
const PUT: &str = r#"
local ver, err = read_entry(KEYS[1])
if ver == false then return {'corrupt', err} end
if ARGV[1] == '' then
  if ver ~= nil then return {'conflict'} end
elseif ver ~= ARGV[1] then
  return {'conflict'}
end
-- '%d' keeps every digit (tostring would switch to an exponent past 1e14); a version stays
-- exact up to 2^53 writes to one key.
local new = string.format('%d', (tonumber(ver) or 0) + 1)
redis.call('HSET', KEYS[1], 'ver', new, 'val', ARGV[2])
if ver == nil then
  -- A new key (never written, deleted or expired): its index member may be missing, and an
  -- expired predecessor's expiry member may be left.
  redis.call('ZADD', KEYS[2], 0, ARGV[4])
  if ARGV[3] == '' then redis.call('ZREM', KEYS[3], ARGV[4]) end
elseif ARGV[3] == '' then
  if redis.call('PERSIST', KEYS[1]) == 1 then redis.call('ZREM', KEYS[3], ARGV[4]) end
end
if ARGV[3] ~= '' then
  local ms = now_ms()
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[3], ms + tonumber(ARGV[3]), ARGV[4])
  purge_expired(ARGV[5], KEYS[2], KEYS[3], ms)
end
return {'written', new}
"#;

/// `delete` (compare-and-delete). KEYS: entry, index, ttl index. ARGV: expected version, the
/// user key, the entry key prefix. Answers `deleted`, `absent`, `conflict` or `corrupt reason`.
const DELETE: &str = r#"
local ver, err = read_entry(KEYS[1])
if ver == false then return {'corrupt', err} end
if ver == nil then
  purge(KEYS[2], KEYS[3], ARGV[2])
  return {'absent'}
end
if ver ~= ARGV[1] then return {'conflict'} end
redis.call('DEL', KEYS[1])
purge(KEYS[2], KEYS[3], ARGV[2])
purge_expired(ARGV[3], KEYS[2], KEYS[3], now_ms())
return {'deleted'}
"#;

/// `scan`: one page. KEYS: index, ttl index. ARGV: the entry key prefix, the lower bound and the
/// upper bound in `ZRANGEBYLEX` syntax, the page size. Walks the index in byte order, skips
/// (and purges) members whose key has expired, stops after `limit` live entries and then looks
/// for one more live key to know whether the scan goes on. Answers
/// `page more m1 ver1 val1 m2 …` (`more` is 1 or 0) or `corrupt member reason`.
const SCAN: &str = r#"
local data, min, max, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local out = {'page', 0}
local found = 0
while true do
  local members = redis.call('ZRANGEBYLEX', KEYS[1], min, max, 'LIMIT', 0, limit + 1 - found)
  if #members == 0 then return out end
  for _, m in ipairs(members) do
    if found == limit then
      if redis.call('EXISTS', data .. m) == 1 then
        out[2] = 1
        return out
      end
      purge(KEYS[1], KEYS[2], m)
    else
      local ver, val = read_entry(data .. m)
      if ver == false then return {'corrupt', m, val} end
      if ver == nil then
        purge(KEYS[1], KEYS[2], m)
      else
        out[#out + 1] = m
        out[#out + 1] = ver
        out[#out + 1] = val
        found = found + 1
      end
    end
    min = '(' .. m
  end
end
"#;

/// The scripts, loaded once per process (the redis crate sends `EVALSHA` and loads a script
/// on `NOSCRIPT`, e.g. after the server restarted).
#[derive(Debug)]
pub(super) struct Scripts {
    pub(super) put: Script,
    pub(super) delete: Script,
    pub(super) scan: Script,
}

/// The process's [`Scripts`].
pub(super) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    put: with_prelude(PUT),
    delete: with_prelude(DELETE),
    scan: with_prelude(SCAN),
});

fn with_prelude(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}
