#!/usr/bin/env python3
"""Traffic for the mobility cases of scripts/nettest.sh: a paced TCP stream checked by SHA-256 and a
10 ms UDP request/response loop whose largest gap between replies shows how long a move interrupts traffic.

  flows.py stream-recv ADDRESS PORT OUT [GAPS]   accept one connection, read to EOF; OUT: "BYTES SHA256";
                                                 GAPS: JSON with the largest pause between reads (and
                                                 every pause over 20 ms, "pauses": [[start epoch, ms], ...])
  flows.py stream-send ADDRESS PORT SECONDS KIBPS OUT
                                                 send random data at KIBPS KiB/s for SECONDS; OUT: "BYTES SHA256"
  flows.py echo-server ADDRESS PORT              echo UDP datagrams back (until killed)
  flows.py echo-client ADDRESS PORT SECONDS OUT  one request every 10 ms for SECONDS; OUT: a JSON summary

For the NAT cases (scripts/lib/nat.sh), IPv4 UDP:
  flows.py reflect PORT                          answer each datagram with the sender's "address:port" (until killed)
  flows.py probe SRC_PORT ADDRESS PORT           send from SRC_PORT, print the reflector's answer ("" after 2 s)
  flows.py listen PORT SECONDS                   print "address:port" of every datagram received within SECONDS

Every blocking call has a timeout (FLOWS_TIMEOUT seconds, default 30), so a broken path ends these programs
with an error instead of hanging.
"""
import hashlib, json, os, select, socket, struct, sys, time

TIMEOUT = float(os.environ.get("FLOWS_TIMEOUT", "30"))


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def stream_recv(address, port, out, gaps=None):
    listener = socket.socket(family(address), socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, int(port)))
    listener.listen(1)
    listener.settimeout(TIMEOUT)
    conn, _ = listener.accept()
    conn.settimeout(TIMEOUT)
    digest, total = hashlib.sha256(), 0
    last = first = time.monotonic()
    wall0 = time.time() - first
    gap, gap_at = 0.0, None
    pauses = []  # every pause between reads longer than 20 ms: [start epoch, milliseconds]
    while True:
        data = conn.recv(65536)
        now = time.monotonic()
        if now - last > gap:
            gap, gap_at = now - last, last
        if now - last > 0.02:
            pauses.append([round(last + wall0, 6), round((now - last) * 1000, 1)])
        last = now
        if not data:
            break
        digest.update(data)
        total += len(data)
    conn.close()
    with open(out, "w") as f:
        f.write(f"{total} {digest.hexdigest()}\n")
    if gaps:
        with open(gaps, "w") as f:
            json.dump({"max_gap_ms": round(gap * 1000, 1),
                       "gap_start_epoch": round(gap_at + wall0, 6) if gap_at is not None else None,
                       "seconds": round(last - first, 3), "bytes": total, "pauses": pauses}, f)
            f.write("\n")


def stream_send(address, port, seconds, kibps, out):
    sock = socket.socket(family(address), socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.connect((address, int(port)))
    chunk, tick = int(kibps) * 1024 // 50, 0.02  # 50 chunks a second
    digest, total = hashlib.sha256(), 0
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < float(seconds):
        data = os.urandom(chunk)
        sock.sendall(data)
        digest.update(data)
        total += len(data)
        n += 1
        delay = start + n * tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)  # the receiver closes after EOF: every byte arrived
    sock.close()
    with open(out, "w") as f:
        f.write(f"{total} {digest.hexdigest()}\n")


def echo_server(address, port):
    sock = socket.socket(family(address), socket.SOCK_DGRAM)
    sock.bind((address, int(port)))
    while True:
        data, peer = sock.recvfrom(2048)
        sock.sendto(data, peer)


def echo_client(address, port, seconds, out):
    sock = socket.socket(family(address), socket.SOCK_DGRAM)
    sock.connect((address, int(port)))
    sock.setblocking(False)
    interval, seconds = 0.01, float(seconds)
    start = time.monotonic()
    wall0 = time.time() - start  # wall clock = monotonic + wall0, to compare with captures
    sent, replies, seen = 0, [], set()
    next_send = start
    while True:
        now = time.monotonic()
        if now - start >= seconds + 0.3:  # a last 300 ms for replies in flight
            break
        if now >= next_send and now - start < seconds:
            try:
                sock.send(struct.pack("!Id", sent, now))
            except OSError:
                pass  # no route for a moment: counted as lost
            sent += 1
            next_send += interval
        timeout = max(0.0, min(next_send, start + seconds + 0.3) - time.monotonic())
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            try:
                data = sock.recv(2048)
            except OSError:
                continue
            seq, _ = struct.unpack("!Id", data[:12])
            if seq not in seen:
                seen.add(seq)
                replies.append(time.monotonic())
    end_of_sends = start + seconds
    gap, gap_at = 0.0, None
    marks = [start] + replies
    for a, b in zip(marks, marks[1:]):
        if b - a > gap:
            gap, gap_at = b - a, a
    tail = end_of_sends - (replies[-1] if replies else start)  # silence until the last request
    if tail > gap:
        gap, gap_at = tail, (replies[-1] if replies else start)
    summary = {"sent": sent, "received": len(seen), "lost": sent - len(seen),
               "max_gap_ms": round(gap * 1000, 1),
               "gap_start_epoch": round(gap_at + wall0, 6) if gap_at else None,
               "reply_epochs": [round(t + wall0, 6) for t in replies],
               "last_reply_before_end_ms": round((end_of_sends - replies[-1]) * 1000, 1) if replies else None}
    with open(out, "w") as f:
        json.dump(summary, f)
        f.write("\n")


def reflect(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", int(port)))
    while True:
        _, (host, sport) = sock.recvfrom(2048)
        sock.sendto(f"{host}:{sport}\n".encode(), (host, sport))


def probe(src_port, address, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", int(src_port)))
    sock.settimeout(0.5)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # one probe every 500 ms: a lost first packet (ARP) is retried
        try:
            sock.sendto(b"probe", (address, int(port)))
        except OSError as error:
            print(f"probe: {error.strerror}", file=sys.stderr)
            print("")
            return
        try:
            data, _ = sock.recvfrom(2048)
            print(data.decode().strip())
            return
        except socket.timeout:
            pass
    print("")


def listen(port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", int(port)))
    deadline = time.monotonic() + float(seconds)
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            _, (host, sport) = sock.recvfrom(2048)
            print(f"{host}:{sport}", flush=True)
        except socket.timeout:
            break


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"stream-recv": stream_recv, "stream-send": stream_send,
     "echo-server": echo_server, "echo-client": echo_client,
     "reflect": reflect, "probe": probe, "listen": listen}[command](*args)
