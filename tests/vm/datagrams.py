#!/usr/bin/python3
"""UDP (and SCTP) servers and clients for the load-balancing VM tests (tests/vm/lb-services.sh).

serve PROTO ADDRESS PORT NAME   answers every datagram (udp) or connection (sctp) with "NAME PROTO"; one process, no fork
ask PROTO ADDRESS PORT COUNT    COUNT requests, each from a new socket (a new source port, so a new IPVS connection),
                                one line per request: the answer, or "fail" (refused, or no answer within 3 s)
"""
import socket
import sys


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(proto, address, port, name):
    answer = f"{name} {proto}\n".encode()
    if proto == "udp":
        s = socket.socket(family(address), socket.SOCK_DGRAM)
        s.bind((address, port))
        while True:
            _, peer = s.recvfrom(2048)
            s.sendto(answer, peer)
    s = socket.socket(family(address), socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(answer)
        finally:
            c.close()


def ask_one(proto, address, port):
    try:
        kind = (socket.SOCK_DGRAM, 0) if proto == "udp" else (socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        with socket.socket(family(address), *kind) as s:
            s.settimeout(3)
            s.connect((address, port))
            if proto == "udp":
                s.send(b"query\n")
            return s.recv(2048).decode().strip() or "fail"
    except OSError:
        return "fail"


def main():
    command, proto, address, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if proto not in ("udp", "sctp"):
        sys.exit(f"datagrams.py: unknown protocol {proto}")
    if command == "serve":
        serve(proto, address, port, sys.argv[5])
    elif command == "ask":
        for _ in range(int(sys.argv[5])):
            print(ask_one(proto, address, port), flush=True)
    else:
        sys.exit(f"datagrams.py: unknown command {command}")


if __name__ == "__main__":
    main()
