#!/usr/bin/python3
"""wirecmp.py - what a capture says about FTP sessions, in a form two
captures of the same sessions can be compared in: a real one (dumpcap on
lo) and ftp-labd's --pcap reconstruction.

usage: tshark -r FILE -T fields -E separator=/t -e ip.src -e ipv6.src
         -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.flags
         -e tcp.seq_raw -e tcp.ack_raw -e tcp.payload | wirecmp.py CTRL_PORT

For each TCP connection, in the order of their SYNs: its two ends, the
one that sent the SYN first; its FINs and RST in order, with the ack a
RST carries (relative: the bytes of the other side it acknowledges, plus
its SYN, plus its FIN); how many bytes each side sent and their SHA-1;
and on the control connection (CTRL_PORT) its lines, client and server,
in the order they crossed, each with its own line end.

What the comparison leaves out, because the reconstruction cannot know
it (see ftp-labd(1)): timing, segment sizes, pure ACKs, windows and TCP
options, retransmissions (each byte is counted once, by its sequence
number), and anything after a connection's first RST: a peer's segments
still in flight when the RST came are not in the stream the RST's sender
received.
"""
import hashlib
import sys

SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


class Conn:
    def __init__(self, connector, acceptor):
        self.ends = (connector, acceptor)
        self.isn = [None, None]
        self.streams = [bytearray(), bytearray()]
        self.events = []
        self.fin = [False, False]
        self.reset = False
        self.chunks = []        # control lines: [side, bytes], in order

    def side(self, src):
        return 0 if src == self.ends[0] else 1

    def data(self, side, seq, payload):
        """Bytes at their place in the stream, each counted once."""
        start = (seq - self.isn[side] - 1) % (1 << 32)
        stream = self.streams[side]
        if start > len(stream):
            self.events.append("%s: a gap of %d bytes" %
                               (name(self.ends[side]), start - len(stream)))
            stream.extend(b"\0" * (start - len(stream)))
        new = payload[len(stream) - start:]
        if not new:
            return
        stream.extend(new)
        if self.chunks and self.chunks[-1][0] == side:
            self.chunks[-1][1].extend(new)
        else:
            self.chunks.append([side, bytearray(new)])

    def packet(self, src, flags, seq, ack, payload):
        side = self.side(src)
        if self.reset:
            return
        if flags & SYN:
            self.isn[side] = seq
            return
        if self.isn[side] is None:
            return
        if payload:
            self.data(side, seq, payload)
        if flags & RST:
            self.reset = True
            acked = (ack - self.isn[1 - side]) % (1 << 32) \
                if flags & ACK and self.isn[1 - side] is not None else None
            self.events.append("RST from %s, acking %s" %
                               (name(self.ends[side]), acked))
        elif flags & FIN and not self.fin[side]:
            self.fin[side] = True
            self.events.append("FIN from %s" % name(self.ends[side]))

    def report(self, number, ctrl_port):
        out = ["connection %d: %s connected to %s" %
               (number, name(self.ends[0]), name(self.ends[1]))]
        out += ["  " + e for e in self.events]
        for side in (0, 1):
            s = bytes(self.streams[side])
            out.append("  %s sent %d bytes, sha1 %s" % (
                name(self.ends[side]), len(s),
                hashlib.sha1(s).hexdigest()[:16]))
        if ctrl_port in (self.ends[0][1], self.ends[1][1]):
            server = 0 if self.ends[0][1] == ctrl_port else 1
            for side, chunk in self.chunks:
                who = "S" if side == server else "C"
                for line in bytes(chunk).splitlines(keepends=True):
                    out.append("  %s %r" % (who, line))
        return out


def name(end):
    return "%s:%d" % end


def main():
    ctrl_port = int(sys.argv[1])
    conns = {}
    order = []
    for line in sys.stdin:
        f = line.rstrip("\n").split("\t")
        if len(f) < 10 or not f[6]:
            continue
        src = (f[0] or f[1], int(f[2]))
        dst = (f[3] or f[4], int(f[5]))
        flags = int(f[6], 16)
        key = frozenset((src, dst))
        if flags & SYN and not flags & ACK:
            conns[key] = Conn(src, dst)     # a port used again: a new one
            order.append(conns[key])
        conn = conns.get(key)
        if conn is None:
            continue                        # begun before the capture
        payload = bytes.fromhex(f[9].replace(":", ""))
        conn.packet(src, flags, int(f[7]), int(f[8] or 0), payload)
    for number, conn in enumerate(order, 1):
        print("\n".join(conn.report(number, ctrl_port)))


main()
