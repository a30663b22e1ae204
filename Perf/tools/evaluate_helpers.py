#!/usr/bin/env python3
"""Small helpers of Perf/evaluate.sh.

  evaluate_helpers.py sample IFACE INTERVAL SECONDS OUT
      every INTERVAL seconds for SECONDS, append "EPOCH RX_BYTES" of IFACE (/sys/class/net, so run it
      inside the namespace with `ip netns exec`) to OUT; the received throughput over time of Fig. 5
  evaluate_helpers.py fire ADDRESS PORT NETNS...
      open one UDP socket in each named network namespace (/run/netns/NAME, setns), then send one datagram
      from each to ADDRESS:PORT as fast as possible; prints "EPOCH_FIRST_SEND SECONDS_FOR_ALL". The
      simultaneous start of the exchanges of Fig. 4b (the first packet to a peer starts its base exchange)
  evaluate_helpers.py probe ADDRESS PORT
      send a 32-byte UDP datagram to ADDRESS:PORT every millisecond until killed (a steady probe that does
      not back off when replies stop, as ping does)
"""
import ctypes, os, socket, sys, time

CLONE_NEWNET = 0x40000000


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def sample(iface, interval, seconds, out):
    interval, end = float(interval), time.time() + float(seconds)
    path = f"/sys/class/net/{iface}/statistics/rx_bytes"
    with open(out, "a") as f:
        due = time.time()
        while time.time() < end:
            with open(path) as counter:
                value = counter.read().strip()
            f.write(f"{time.time():.6f} {value}\n")
            f.flush()
            due += interval
            time.sleep(max(0.0, due - time.time()))


def fire(address, port, names):
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    sockets = []
    for name in names:
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {name}: {os.strerror(err)}")
        os.close(fd)
        sockets.append(socket.socket(family(address), socket.SOCK_DGRAM))  # belongs to that namespace
    start = time.time()
    failed = 0
    for s in sockets:
        try:
            s.sendto(b"x" * 32, (address, int(port)))
        except OSError:
            failed += 1
    print(f"{start:.6f} {time.time() - start:.6f} {failed}")


def probe(address, port):
    s = socket.socket(family(address), socket.SOCK_DGRAM)
    due = time.time()
    while True:
        try:
            s.sendto(b"x" * 32, (address, int(port)))
        except OSError:
            pass
        due += 0.001
        time.sleep(max(0.0, due - time.time()))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "sample":
        sample(*args)
    elif command == "fire":
        fire(args[0], args[1], args[2:])
    elif command == "probe":
        probe(*args)
    else:
        sys.exit(__doc__)
