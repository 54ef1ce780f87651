#!/usr/bin/env python3
"""Minimal SOCKS5 proxy for tests (RFC 1928 CONNECT, RFC 1929 auth).

Usage: socks5_server.py PORT_FILE LOG_FILE [USERNAME PASSWORD]
Listens on 127.0.0.1 (free port written to PORT_FILE), appends one line per
CONNECT ("<host> <port> <atyp>", atyp ip4/ip6/domain) or auth failure to
LOG_FILE. With USERNAME/PASSWORD only username/password auth is accepted.
"""
import select
import socket
import struct
import sys
import threading


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


def pipe(a, b):
    socks = [a, b]
    try:
        while True:
            ready, _, _ = select.select(socks, [], [])
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def log(line):
    with open(sys.argv[2], "a") as f:
        f.write(line + "\n")


def handle(conn, creds):
    try:
        ver, nmethods = recv_exact(conn, 2)
        methods = recv_exact(conn, nmethods)
        want = 2 if creds else 0
        if ver != 5 or want not in methods:
            conn.sendall(b"\x05\xff")
            log("no-acceptable-method")
            return conn.close()
        conn.sendall(bytes([5, want]))
        if creds:
            _, ulen = recv_exact(conn, 2)
            user = recv_exact(conn, ulen).decode()
            (plen,) = recv_exact(conn, 1)
            password = recv_exact(conn, plen).decode()
            if (user, password) != creds:
                conn.sendall(b"\x01\x01")
                log("auth-failed " + user)
                return conn.close()
            conn.sendall(b"\x01\x00")
        ver, cmd, _, atyp = recv_exact(conn, 4)
        if atyp == 1:
            host, kind = socket.inet_ntop(socket.AF_INET, recv_exact(conn, 4)), "ip4"
        elif atyp == 4:
            host, kind = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16)), "ip6"
        else:
            (n,) = recv_exact(conn, 1)
            host, kind = recv_exact(conn, n).decode(), "domain"
        (port,) = struct.unpack(">H", recv_exact(conn, 2))
        log("%s %d %s" % (host, port, kind))
        if cmd != 1:
            conn.sendall(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
            return conn.close()
        try:
            upstream = socket.create_connection((host, port), timeout=10)
            upstream.settimeout(None)
        except OSError:
            conn.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return conn.close()
        conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        pipe(conn, upstream)
    except (ConnectionError, OSError, ValueError):
        conn.close()


def main():
    creds = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else None
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, creds), daemon=True).start()


if __name__ == "__main__":
    main()
