//! Sign throughput through the server against the provider signing directly, side by side in
//! one run: rounds alternate between the two and the totals give the rates and their ratio.
//!
//! The server path is the real connection code over an in-memory pipe with the stdio framing:
//! newline-delimited JSON-RPC, every request in flight at once, the software provider and the
//! binding store on disk (SQLite, WAL, synchronous=FULL), so each signature also pays for the
//! replay bookkeeping's commit. A second server with the binding store in memory separates that
//! cost. The direct path signs the same canonical bytes with the same provider, on as many
//! threads as the machine has. Create and public-key rates through the server are printed too.
//!
//! Run: `cargo bench -p devicekey-server --bench server` (release). Rates only; nothing is asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use devicekey_proof::{encode_base64url, KeyId, SignedPayload, Validated};
use devicekey_protocol::types::DeviceKeySignPayload;
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, FileSecretStore, KeyProvider, ProviderSet};
use devicekey_server::{Server, ServerOptions};
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

const ROUNDS: usize = 10;
const SIGNS_PER_ROUND: usize = 400;
const CREATES: usize = 200;
const PUBLICS: usize = 1000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

/// A pipelined client: writes a batch of requests and reads as many answers.
struct Client {
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: WriteHalf<DuplexStream>,
    next_id: u64,
}

impl Client {
    fn connect(server: &Arc<Server>) -> Self {
        let (stream, _connection) = server.connect_in_memory();
        let (reader, writer) = tokio::io::split(stream);
        Client {
            lines: BufReader::new(reader).lines(),
            writer,
            next_id: 0,
        }
    }

    /// The request lines of `method` with each of `params`, ready to send.
    fn requests(&mut self, method: &str, params: &[Value]) -> String {
        let mut text = String::new();
        for params in params {
            self.next_id += 1;
            text += &json!({"id": self.next_id, "method": method, "params": params}).to_string();
            text.push('\n');
        }
        text
    }

    /// Sends every request at once (a writer task) and collects `count` answer lines.
    async fn exchange(&mut self, text: &str, count: usize) -> Vec<String> {
        let write = async {
            self.writer.write_all(text.as_bytes()).await.unwrap();
            self.writer.flush().await.unwrap();
        };
        let read = async {
            let mut lines = Vec::with_capacity(count);
            for _ in 0..count {
                lines.push(self.lines.next_line().await.unwrap().unwrap());
            }
            lines
        };
        let ((), lines) = tokio::join!(write, read);
        lines
    }

    /// Every answer's result; panics on an error answer.
    fn results(method: &str, lines: &[String]) -> Vec<Value> {
        lines
            .iter()
            .map(|line| {
                let mut answer: Value = serde_json::from_str(line).unwrap();
                answer
                    .get_mut("result")
                    .unwrap_or_else(|| panic!("{method} failed: {line}"))
                    .take()
            })
            .collect()
    }

    /// Sends every request at once and collects every answer's result.
    async fn batch(&mut self, method: &str, params: Vec<Value>) -> Vec<Value> {
        let text = self.requests(method, &params);
        let lines = self.exchange(&text, params.len()).await;
        Self::results(method, &lines)
    }
}

fn payload(now: i64) -> Value {
    json!({
        "type": "remoteControlClientConnection",
        "nonce": encode_base64url(&rand::random::<[u8; 32]>()),
        "audience": "remote_control_client_websocket",
        "sessionId": "wssess_bench",
        "targetOrigin": "https://chatgpt.com",
        "targetPath": "/api/codex/remote/control/client",
        "accountUserId": "bench-account",
        "clientId": "cli_bench",
        "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        "tokenExpiresAt": now + 600,
        "scopes": ["remote_control_controller_websocket"],
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

struct Setup {
    server: Arc<Server>,
    client: Client,
    key_id: String,
}

async fn setup(provider: Arc<SoftwareProvider>, bindings: BindingStore) -> Setup {
    let store = DeviceKeyStore::builder(ProviderSet::new(vec![provider]), bindings).build();
    let server = Server::new(store, ServerOptions::default());
    let mut client = Client::connect(&server);
    client
        .batch(
            "initialize",
            vec![json!({"clientInfo": {"name": "bench", "version": "1"}})],
        )
        .await;
    let created = client
        .batch(
            "device/key/create",
            vec![json!({"protectionPolicy": "allow_software", "accountUserId": "bench-account", "clientId": "cli_bench"})],
        )
        .await;
    let key_id = created[0]["keyId"].as_str().unwrap().to_owned();
    Setup {
        server,
        client,
        key_id,
    }
}

/// Signs `payloads` through the server; the elapsed time and the process's CPU time. The client
/// writes its request lines before and reads the answers' JSON after the measured part, as the
/// direct path builds its signed bytes before it.
async fn server_round(setup: &mut Setup, payloads: &[Value]) -> (Duration, Duration) {
    let params: Vec<Value> = payloads
        .iter()
        .map(|payload| json!({"keyId": setup.key_id, "payload": payload}))
        .collect();
    let text = setup.client.requests("device/key/sign", &params);
    let (started, cpu) = (Instant::now(), process_cpu());
    let lines = setup.client.exchange(&text, params.len()).await;
    let measured = (started.elapsed(), process_cpu() - cpu);
    let results = Client::results("device/key/sign", &lines);
    assert_eq!(results.len(), payloads.len());
    measured
}

/// Signs the canonical bytes of `payloads` with the provider directly, on `threads` threads; the
/// elapsed time and the process's CPU time.
fn direct_round(
    provider: &SoftwareProvider,
    key_id: &KeyId,
    payloads: &[Value],
    threads: usize,
) -> (Duration, Duration) {
    let signed: Vec<SignedPayload> = payloads
        .iter()
        .map(|payload| {
            let payload = Validated::<DeviceKeySignPayload>::from_json(payload.clone()).unwrap();
            SignedPayload::new(payload.as_ref())
        })
        .collect();
    let chunk = signed.len().div_ceil(threads);
    let (started, cpu) = (Instant::now(), process_cpu());
    std::thread::scope(|scope| {
        for part in signed.chunks(chunk) {
            scope.spawn(move || {
                for bytes in part {
                    provider.sign(key_id, bytes).unwrap();
                }
            });
        }
    });
    (started.elapsed(), process_cpu() - cpu)
}

/// CPU time of the whole process so far (user + system), from `/proc/self/stat`; zero where
/// that file does not exist. Its resolution is the kernel's clock tick, so it is only read
/// around whole rounds.
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&index| fields.get(index)?.parse::<u64>().ok())
        .sum();
    // Linux reports these in USER_HZ, which is 100 on every architecture it runs on.
    Duration::from_millis(ticks * 10)
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Arc::new(SoftwareProvider::new(Arc::new(
        FileSecretStore::open(dir.path().join("keys")).unwrap(),
    )));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut on_disk = setup(
        Arc::clone(&provider),
        BindingStore::open(dir.path().join("bindings.sqlite3")).unwrap(),
    )
    .await;
    let mut in_memory = setup(
        Arc::clone(&provider),
        BindingStore::open_in_memory().unwrap(),
    )
    .await;
    let key_id = KeyId::parse(&on_disk.key_id).unwrap();

    // Warm up every path once.
    let warm: Vec<Value> = (0..50).map(|_| payload(now())).collect();
    server_round(&mut on_disk, &warm).await;
    server_round(&mut in_memory, &warm).await;
    direct_round(&provider, &key_id, &warm, threads);

    // [direct, on disk, in memory]: elapsed and CPU time.
    let mut elapsed = [Duration::ZERO; 3];
    let mut cpu = [Duration::ZERO; 3];
    let mut add = |path: usize, (time, used): (Duration, Duration)| {
        elapsed[path] += time;
        cpu[path] += used;
    };
    for round in 0..ROUNDS {
        let payloads: Vec<Value> = (0..SIGNS_PER_ROUND).map(|_| payload(now())).collect();
        // Alternate which path goes first.
        if round % 2 == 0 {
            add(0, direct_round(&provider, &key_id, &payloads, threads));
            add(1, server_round(&mut on_disk, &payloads).await);
            add(2, server_round(&mut in_memory, &payloads).await);
        } else {
            add(2, server_round(&mut in_memory, &payloads).await);
            add(1, server_round(&mut on_disk, &payloads).await);
            add(0, direct_round(&provider, &key_id, &payloads, threads));
        }
    }
    let [direct, disk, memory] = elapsed;
    let total = ROUNDS * SIGNS_PER_ROUND;
    let direct_rate = rate(total, direct);
    let disk_rate = rate(total, disk);
    let memory_rate = rate(total, memory);
    let per_sign = |cpu: Duration| cpu.as_secs_f64() * 1e6 / total as f64;
    println!("sign throughput, {total} signatures in {ROUNDS} alternating rounds, {threads} hardware threads:");
    println!(
        "  direct provider.sign ({threads} threads):              {direct_rate:>9.0} /s            {:>6.0} us CPU/sign",
        per_sign(cpu[0])
    );
    println!(
        "  server, binding store on disk (all in flight):  {disk_rate:>9.0} /s  ({:.2}x)  {:>6.0} us CPU/sign",
        disk_rate / direct_rate,
        per_sign(cpu[1])
    );
    println!(
        "  server, binding store in memory:                {memory_rate:>9.0} /s  ({:.2}x)  {:>6.0} us CPU/sign",
        memory_rate / direct_rate,
        per_sign(cpu[2])
    );

    let params: Vec<Value> = (0..CREATES)
        .map(|index| json!({"protectionPolicy": "allow_software", "accountUserId": "bench-account", "clientId": format!("cli_{index}")}))
        .collect();
    let started = Instant::now();
    let created = on_disk.client.batch("device/key/create", params).await;
    let create_rate = rate(created.len(), started.elapsed());
    let params: Vec<Value> = (0..PUBLICS)
        .map(|index| json!({"keyId": created[index % created.len()]["keyId"]}))
        .collect();
    let started = Instant::now();
    let publics = on_disk.client.batch("device/key/public", params).await;
    let public_rate = rate(publics.len(), started.elapsed());
    println!("through the server (binding store on disk):");
    println!("  device/key/create:                              {create_rate:>9.0} /s");
    println!("  device/key/public:                              {public_rate:>9.0} /s");
    drop(on_disk.server);
    drop(in_memory.server);
}
