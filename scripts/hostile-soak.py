"""Ten minutes of the security review's attack traffic against one `karez up`, RSS sampled.

    python3 scripts/hostile-soak.py .build/release/karez 600
"""
import json, os, random, socket, subprocess, sys, tempfile, time, uuid
import zmq

karez, seconds = sys.argv[1], float(sys.argv[2])
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
front, back, intake = (f"tcp://127.0.0.1:{port()}" for _ in range(3))
data = tempfile.mkdtemp(prefix="karez-soak-")
env = dict(os.environ, KAREZ_PSEUDONYM_KEY="soak-test-key-0123456789")
up = subprocess.Popen([karez, "up", "--data", data, "--front", front, "--back", back, "--intake", intake,
                       "--http-port", "0", "--worker-count", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
def rss():
    for line in open(f"/proc/{up.pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) // 1024
ctx = zmq.Context()
def dealer(ep):
    s = ctx.socket(zmq.DEALER); s.linger = 0; s.rcvhwm = 100000; s.connect(ep); return s
p = dealer(front)
p.send_multipart([b"KZ1", b"PING"]); assert p.poll(30000), "no PONG"; p.recv_multipart()
# warm up with normal traffic
for i in range(50):
    p.send_multipart([b"KZ1", b"PUB", f"warm-{i}".encode(), b"patient", json.dumps({"id": f"warm-{i}"}).encode()]); p.recv_multipart()
time.sleep(3)
base = rss(); print(f"baseline RSS {base} MiB", flush=True)
members = lambda n: ("{" + ",".join(f'"m{i:09d}":0' for i in range(n)) + "}").encode()
hello_big, item_big, snap_big = members(100000), members(60000), members(70000)
big = b" " * (15 << 20)
million = [b"KZ1", b"PUB"] + [b""] * 1_000_000
push = ctx.socket(zmq.PUSH); push.linger = 0; push.connect(intake)
sink = dealer(back); sink.rcvhwm = 1
sink.send_multipart([b"KZ1", b"HELLO", json.dumps({"name": "sink", "host": "soak", "pid": 1, "incarnation": "s1", "concurrency": 1, "version": "1"}).encode()])
sink.send_multipart([b"KZ1", b"CREDIT", b"1000"])
start, rounds, peak, samples = time.time(), 0, base, []
while time.time() - start < seconds:
    rounds += 1
    w = dealer(back); w.send_multipart([b"KZ1", b"HELLO", hello_big]); w.close()
    p.send_multipart([b"KZ1", b"PUB", f"q-{rounds}".encode(), b"patient", b'{"id":"q-%d",' % rounds + item_big[1:]])
    if rounds % 10 == 0: p.send_multipart(million)
    p.send_multipart([b"KZ1", b"PUB", f"big-{rounds}".encode(), b"patient", big])
    p.send_multipart([b"KZ1", b"PUB", b"x", b"patient", big, big])
    push.send_multipart([b"KZ1", b"METRICS", snap_big], zmq.NOBLOCK)
    for k in range(20):  # forged sources and a type clash
        src = {"role": "worker", "name": f"forged-{random.randrange(100000)}", "incarnation": uuid.uuid4().hex, "host": "x", "pid": 1}
        snap = {"version": 1, "source": src, "seq": 0, "time": "2026-12-06T00:00:00Z", "uptime_s": 1,
                "counters": [{"name": "jobs_stored_total", "value": 1e12}], "gauges": [{"name": "jobs_stored_total", "value": 1}] if k == 0 else [], "histograms": []}
        try: push.send_multipart([b"KZ1", b"METRICS", json.dumps(snap).encode()], zmq.NOBLOCK)
        except zmq.Again: pass
    sink.send_multipart([b"KZ1", b"HB"])
    while p.poll(0): p.recv_multipart()
    now = rss(); peak = max(peak, now)
    if rounds % 20 == 0:
        samples.append(now); print(f"{time.time() - start:6.0f} s  round {rounds}  RSS {now} MiB  peak {peak} MiB", flush=True)
    time.sleep(0.5)
time.sleep(3)
end = rss()
print(f"soak: {rounds} rounds in {seconds:.0f} s; RSS baseline {base} MiB, end {end} MiB ({end / base:.2f}x), peak {peak} MiB ({peak / base:.2f}x)", flush=True)
up.terminate(); up.wait(30)
