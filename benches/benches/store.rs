//! User lookups on the durable SQLite store holding 10k users and holding 1M users, with the
//! in-memory store of the same sizes as the same-run baseline.
//!
//! - `get_user/{store}/{size}`: `Store::get_user` by username (one read transaction, one
//!   primary-key lookup, JSON decode of a 1.6 kB user record with a password hash and SRP
//!   verifier).
//! - `sign_in_email/{store}/{size}`: `Store::find_user_for_sign_in` with the user's e-mail
//!   address in a pool with e-mail as an alias: the username lookup misses, then the alias
//!   index and the user record are read (two read transactions, three lookups).
//!
//! Stores: `sqlite` (the default options: 64 MiB page cache per connection, file mapped into
//! memory), `sqlite-pread` (the same file without the mapping), `memory`.
//!
//! Each lookup picks a user at random from the whole store. After Criterion's report the bench
//! times single lookups one by one, in rounds that interleave the configurations, and prints
//! p50/p90/p99/p99.9 per configuration and the ratio the target is about: p99 with 1M users
//! over p99 with 10k users, target <= 1.2 for SQLite.
//!
//! Building the 1M-user SQLite file takes one to two minutes; it is kept in
//! `<target>/bench-data/` and reused while its format marker matches (the memory stores are
//! built every run, about a minute). `STORE_BENCH_LARGE` sets the large size (default
//! 1000000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate_types::{UnixTime, UserPoolId};
use cognate_userpool::model::{AliasAttribute, User, UserPool};
use cognate_userpool::store::{SqliteBackend, SqliteOptions, Store};
use criterion::{criterion_group, BenchmarkId, Criterion};
use serde_json::json;

const POOL: &str = "us-east-1_BenchPool";
const SMALL: usize = 10_000;
/// Users per write transaction when loading.
const BATCH: usize = 10_000;
/// Lookups are drawn from this many random users (cycled).
const LOGINS: usize = 1 << 16;
/// Bump when the generated data or the store's record format changes.
const FORMAT: &str = "2";

fn large() -> usize {
    std::env::var("STORE_BENCH_LARGE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn pool(users: usize) -> UserPool {
    let mut p = UserPool::new(
        UserPoolId::new(POOL).unwrap(),
        "bench",
        UnixTime::from_secs(1_700_000_000),
    );
    p.alias_attributes = vec![AliasAttribute::Email];
    p.tags.insert("bench_users".to_owned(), users.to_string());
    p.tags.insert("bench_format".to_owned(), FORMAT.to_owned());
    p
}

fn username(i: usize) -> String {
    format!("user{i:07}")
}

fn email(i: usize) -> String {
    format!("user{i:07}@example.com")
}

/// A realistic user: standard attributes, a verified e-mail alias, an argon2id hash and a
/// 3072-bit SRP verifier. The hash is a fixed dummy: nothing is hashed here.
fn user(i: usize) -> User {
    let mut s = i as u64;
    let (a, b) = (splitmix(&mut s), splitmix(&mut s));
    let sub = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    );
    serde_json::from_value(json!({
        "username": username(i),
        "sub": sub,
        "attributes": {
            "email": email(i),
            "email_verified": "true",
            "given_name": "Bench",
            "family_name": format!("User {i}"),
            "locale": "en-GB",
            "custom:tenant": "tenant-42",
        },
        "status": "CONFIRMED",
        "enabled": true,
        "created": 1_700_000_000,
        "modified": 1_700_000_000,
        "password": {
            "hash": "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0YmVuY2hzYWx0$\
                     pQ2jXvWm0tQyBzQHc0o8m8m1x7Y1o0c9n9p7b8GZb0A",
            "srp_salt": format!("{a:016x}{b:016x}"),
            "srp_verifier": format!("{a:016x}").repeat(48),
            "set_at": 1_700_000_000,
            "temporary_until": null
        }
    }))
    .unwrap()
}

fn load(store: &Store, pool: &UserPool, users: usize) {
    store.create_pool(pool).unwrap();
    let start = Instant::now();
    let mut next = 0;
    while next < users {
        let end = (next + BATCH).min(users);
        let batch: Vec<User> = (next..end).map(user).collect();
        store.create_users(pool, &batch).unwrap();
        next = end;
        if next % 200_000 == 0 {
            eprintln!("  {next} users loaded, {:.0?}", start.elapsed());
        }
    }
    eprintln!("  loaded {users} users in {:.1?}", start.elapsed());
}

fn data_dir() -> PathBuf {
    // The bench runs as <target>/release/deps/store-<hash>.
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    target.join("bench-data")
}

/// The SQLite store with `users` users, from the cached file when it is complete.
fn sqlite_store(users: usize, options: SqliteOptions) -> (Store, UserPool) {
    let pool = pool(users);
    let path = data_dir().join(format!("store-{users}.db"));
    if path.exists() {
        let store = Store::new(Arc::new(SqliteBackend::open_with(&path, options).unwrap()));
        let cached = store.get_pool(&pool.id).ok().flatten();
        if cached.is_some_and(|p| p.tags == pool.tags) {
            eprintln!("sqlite, {users} users: cached {}", path.display());
            return (store, pool);
        }
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    eprintln!("sqlite, {users} users: building {}", path.display());
    // The pool record is written last, as the marker of a complete file.
    let mut unmarked = pool.clone();
    unmarked.tags.clear();
    let store = Store::new(Arc::new(SqliteBackend::open_with(&path, options).unwrap()));
    load(&store, &unmarked, users);
    store.update_pool(&pool).unwrap();
    (store, pool)
}

fn memory_store(users: usize) -> (Store, UserPool) {
    eprintln!("memory, {users} users: building");
    let pool = pool(users);
    let store = Store::memory();
    load(&store, &pool, users);
    (store, pool)
}

struct Config {
    name: String,
    store: Store,
    pool: UserPool,
    usernames: Vec<String>,
    emails: Vec<String>,
}

fn config(name: &str, (store, pool): (Store, UserPool), users: usize) -> Config {
    let mut rng = 0x5eed_u64 ^ users as u64;
    let picks: Vec<usize> = (0..LOGINS)
        .map(|_| (splitmix(&mut rng) % users as u64) as usize)
        .collect();
    Config {
        name: name.to_owned(),
        store,
        pool,
        usernames: picks.iter().map(|&i| username(i)).collect(),
        emails: picks.iter().map(|&i| email(i)).collect(),
    }
}

/// Same-size configurations side by side: `{backend}/10k`, `{backend}/{large}`.
fn configs() -> Vec<Config> {
    let large = large();
    eprintln!(
        "user record: {} bytes of JSON",
        serde_json::to_vec(&user(0)).unwrap().len()
    );
    let pread = SqliteOptions::default().with_mmap_bytes(0);
    let mut out = Vec::new();
    for (backend, make) in [
        (
            "sqlite",
            &(|n| sqlite_store(n, SqliteOptions::default())) as &dyn Fn(usize) -> (Store, UserPool),
        ),
        ("sqlite-pread", &|n| sqlite_store(n, pread)),
        ("memory", &memory_store),
    ] {
        for n in [SMALL, large] {
            out.push(config(&format!("{backend}/{}", size_name(n)), make(n), n));
        }
    }
    out
}

fn size_name(n: usize) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

fn get_user(c: &Config, i: usize) -> User {
    let name = &c.usernames[i % LOGINS];
    c.store.get_user(&c.pool, black_box(name)).unwrap().unwrap()
}

fn sign_in(c: &Config, i: usize) -> User {
    let login = &c.emails[i % LOGINS];
    c.store
        .find_user_for_sign_in(&c.pool, black_box(login))
        .unwrap()
        .unwrap()
}

fn bench(crit: &mut Criterion, configs: &[Config]) {
    for (op, f) in [
        ("get_user", get_user as fn(&Config, usize) -> User),
        ("sign_in_email", sign_in),
    ] {
        let mut g = crit.benchmark_group(op);
        g.sample_size(30).measurement_time(Duration::from_secs(4));
        for c in configs {
            g.bench_function(BenchmarkId::from_parameter(&c.name), |b| {
                let mut i = 0;
                b.iter(|| {
                    i += 1;
                    black_box(f(c, i))
                })
            });
        }
        g.finish();
    }
}

/// The `q` quantile of sorted samples.
fn quantile(sorted: &[u64], q: f64) -> Duration {
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    Duration::from_nanos(sorted[i])
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Times single lookups one by one, in rounds that interleave the configurations so drift and
/// other load on the machine hit them alike. Reports the percentiles of all samples pooled and
/// the median over rounds of each round's p50 and p99 (robust to a round disturbed by another
/// process); the target ratio uses the latter.
fn latency(configs: &[Config]) {
    const ROUNDS: usize = 20;
    const PER_ROUND: usize = 10_000;
    type Op = fn(&Config, usize) -> User;
    let ops: [(&str, Op); 2] = [("get_user", get_user), ("sign_in_email", sign_in)];
    // samples[op][config][round]
    let mut samples = vec![vec![Vec::with_capacity(ROUNDS); configs.len()]; ops.len()];
    let mut i = 0usize;
    // Warm-up: one round untimed.
    for c in configs {
        for (_, op) in ops {
            for _ in 0..PER_ROUND {
                i += 1;
                black_box(op(c, i));
            }
        }
    }
    for _ in 0..ROUNDS {
        for (ci, c) in configs.iter().enumerate() {
            for (oi, (_, op)) in ops.iter().enumerate() {
                let mut round = Vec::with_capacity(PER_ROUND);
                for _ in 0..PER_ROUND {
                    i += 1;
                    let start = Instant::now();
                    black_box(op(c, i));
                    round.push(start.elapsed().as_nanos() as u64);
                }
                round.sort_unstable();
                samples[oi][ci].push(round);
            }
        }
    }
    println!();
    println!(
        "store lookup latency (this run: {ROUNDS} interleaved rounds of {PER_ROUND} single lookups)"
    );
    println!(
        "  {:<14} {:<18} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9}",
        "lookup", "store", "p50", "p90", "p99", "p99.9", "mean", "med p50", "med p99"
    );
    let mut p99 = vec![vec![Duration::ZERO; configs.len()]; ops.len()];
    for (oi, (op, _)) in ops.iter().enumerate() {
        for (ci, c) in configs.iter().enumerate() {
            let rounds = &samples[oi][ci];
            let mut all: Vec<u64> = rounds.iter().flatten().copied().collect();
            all.sort_unstable();
            let mean = Duration::from_nanos(all.iter().sum::<u64>() / all.len() as u64);
            let med50 = median(rounds.iter().map(|r| quantile(r, 0.50)).collect());
            let med99 = median(rounds.iter().map(|r| quantile(r, 0.99)).collect());
            p99[oi][ci] = med99;
            println!(
                "  {:<14} {:<18} {:>9.2?} {:>9.2?} {:>9.2?} {:>9.2?} {:>9.2?} | {:>9.2?} {:>9.2?}",
                op,
                c.name,
                quantile(&all, 0.50),
                quantile(&all, 0.90),
                quantile(&all, 0.99),
                quantile(&all, 0.999),
                mean,
                med50,
                med99
            );
        }
    }
    // The configurations come in pairs: small, large of one backend.
    for (oi, (op, _)) in ops.iter().enumerate() {
        for pair in (0..configs.len()).step_by(2) {
            let (small, large) = (&configs[pair], &configs[pair + 1]);
            let ratio = p99[oi][pair + 1].as_secs_f64() / p99[oi][pair].as_secs_f64();
            let verdict = if !small.name.starts_with("sqlite") {
                "baseline"
            } else if ratio <= 1.2 {
                "target <= 1.2: met"
            } else {
                "target <= 1.2: NOT met"
            };
            println!(
                "  {op:<14} p99 {} / {} = {ratio:.3}  ({verdict})",
                large.name, small.name
            );
        }
    }
}

fn benches(c: &mut Criterion) {
    let configs = configs();
    bench(c, &configs);
    latency(&configs);
}

criterion_group!(store_benches, benches);

fn main() {
    store_benches();
    Criterion::default().configure_from_args().final_summary();
}
