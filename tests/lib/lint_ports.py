#!/usr/bin/python3
"""Tests never race for ports.

Picking a "free" port (bind port 0, read the number, close, print it) and
having another process bind it later is a race with everything else on the
machine: CI runs other jobs, and any of them can take the port in between.
The tests hand on ports instead: the listener binds port 0 and reports the
port it holds (cb_bridge_port, cb_port_file in tests/lib/common.sh), or the
test runs in a network namespace of its own (cb_private_netns) where a fixed
port cannot be taken.  See "Ports" in tests/lib/common.sh.

This fails, naming FILE:LINE, on:
  picker   a pick-a-free-port helper defined or called (cb_free_port,
           free_port, pick_port, random_port, ...), or a random port number
           (shuf -i, $RANDOM);
  snippet  Python in a script or file that binds port 0 and prints or writes
           the port, then leaves the socket (no recv/accept/sleep/... after
           reporting it): the number is only good for a later bind;
  fixed    a literal port (>= 1024) to bind or send to, in a script that does
           not run in a network namespace of its own.

Usage: lint_ports.py [FILE...]   (default: every test and bench script)
It first checks itself against known good and bad samples.
"""
import os
import re
import sys

PICKER = re.compile(
    r"\b[A-Za-z0-9_]*(?:free|unused|spare|available|pick|random|find|grab)[_-]?"
    r"(?:udp[_-]?|tcp[_-]?)?ports?\b", re.I)
RANDOM_PORT = re.compile(r"\bshuf\s+-i\s*[0-9]+-[0-9]+|\bRANDOM\b")
BIND0 = re.compile(r"\.bind\(\s*\(\s*(?:\"[^\"]*\"|'[^']*'|[A-Za-z_][\w.]*)\s*,\s*0\s*\)\s*\)")
PORT_NAME = re.compile(r"(\w+)\s*=\s*[\w.]+\.getsockname\(\)\s*\[\s*1\s*\]")
PORT_PAIR = re.compile(r"\w+\s*,\s*(\w+)\s*=\s*[\w.]+\.getsockname\(\)")
REPORT = re.compile(r"\bprint\s*\(|\.write\s*\(|\bsys\.stdout\b")
# What a listener that keeps its port does after telling it.
KEEPS = re.compile(r"\b(?:recv|recvfrom|recv_into|recvmsg|accept|serve_forever|handle_request|"
                   r"sendto|sendmsg|select|poll|sleep|pause|sigwait|wait|join|communicate|"
                   r"read|readline|input)\s*\(")
PY_C = re.compile(r"\bpython[0-9.]*\b[^\n]*?\s-c\s+(['\"])")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
FIXED = [
    re.compile(r"\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0)\s*:\s*([0-9]{4,5})\b"),
    re.compile(r"[\"'](?:127\.0\.0\.1|localhost|0\.0\.0\.0|)[\"']\s*,\s*([0-9]{4,5})\s*\)"),
    re.compile(r"--(?:listening-)?port[= ]+([0-9]{4,5})\b"),
    re.compile(r"\bport=([0-9]{4,5})\b"),
    re.compile(r"^\s*(?:local\s+|export\s+|readonly\s+)?[A-Za-z_]*port[A-Za-z_]*=([0-9]{4,5})\b", re.I),
]
OWN_NETNS = re.compile(r"^\s*cb_private_netns\b|\bip\s+(?:-n\s+\S+\s+)?netns\b|ice-netns\.sh", re.M)


def is_comment(line):
    return line.lstrip().startswith("#")


def python_regions(text, is_python):
    """(start, end) offsets of the Python in TEXT: all of it for a Python
    file; heredoc bodies and -c '...' strings for a shell script."""
    if is_python:
        return [(0, len(text))]
    regions = []
    lines = text.splitlines(keepends=True)
    off, i = 0, 0
    while i < len(lines):
        line = lines[i]
        m = HEREDOC.search(line) if "<<<" not in line and not is_comment(line) else None
        if m:
            tag, body_start = m.group(2), off + len(line)
            j, o = i + 1, body_start
            while j < len(lines) and lines[j].strip("\t\n") != tag:
                o += len(lines[j])
                j += 1
            regions.append((body_start, o))
            off = o + (len(lines[j]) if j < len(lines) else 0)
            i = j + 1
            continue
        off += len(line)
        i += 1
    for m in PY_C.finditer(text):
        q, start = m.group(1), m.end()
        end = start
        while end < len(text) and text[end] != q:
            end += 2 if q == '"' and text[end] == "\\" else 1
        regions.append((start, end))
    return regions


def check_text(name, text):
    """[(line, rule, message)] for one file's text."""
    found = []
    lines = text.splitlines()
    is_python = name.endswith(".py") or text.startswith("#!/usr/bin/python") or \
        text.startswith("#!/usr/bin/env python")
    line_of = lambda off: text.count("\n", 0, off) + 1

    for n, line in enumerate(lines, 1):
        if is_comment(line):
            continue
        m = PICKER.search(line)
        if m:
            found.append((n, "picker", "'%s': a pick-a-free-port helper" % m.group(0)))
        elif RANDOM_PORT.search(line) and (re.search(r"(?<![A-Za-z])port", line, re.I) or "shuf" in line):
            found.append((n, "picker", "a random port number"))

    for start, end in python_regions(text, is_python):
        code = text[start:end]
        for b in BIND0.finditer(code):
            names = set(PORT_NAME.findall(code)) | set(PORT_PAIR.findall(code))
            told = None
            for r in REPORT.finditer(code, b.end()):
                stmt = code[r.start():code.find("\n", r.start()) if "\n" in code[r.start():] else len(code)]
                if "getsockname" in stmt or any(re.search(r"\b%s\b" % re.escape(v), stmt) for v in names):
                    told = r
                    break
            if told and not KEEPS.search(code, told.end()):
                found.append((line_of(start + b.start()), "snippet",
                              "binds port 0, reports the port and lets the socket go: "
                              "the number is only good for a later bind (a race)"))

    if not is_python and not OWN_NETNS.search(text):
        for n, line in enumerate(lines, 1):
            if is_comment(line):
                continue
            for rx in FIXED:
                m = rx.search(line)
                if m and int(m.group(1)) >= 1024:
                    found.append((n, "fixed", "port %s fixed outside a network namespace of the "
                                  "test's own (cb_private_netns)" % m.group(1)))
                    break
    return sorted(set(found))


SELF_TEST = [
    # (text, rules it must report)
    ('''cb_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
p = s.getsockname()[1]
s.close()
print(p)
PY
}
port="$(cb_free_port)"
''', {"picker", "snippet"}),
    ('''port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", 0)); print(s.getsockname()[1])')
''', {"snippet"}),
    ('''p=$(/usr/bin/python3 -c "import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
host, port = s.getsockname()
sys.stdout.write(str(port))")
''', {"snippet"}),
    ('port=$(shuf -i 20000-40000 -n 1)\n', {"picker"}),
    ('local_port=$((20000 + RANDOM % 10000))\n', {"picker"}),
    ('export TAG="run-$RANDOM"\n', set()),
    ('get_free_udp_port() { :; }\n', {"picker"}),
    ('cat > x.ini <<INI\nlocal = 127.0.0.1:5004\nINI\n', {"fixed"}),
    ('python3 rtp_listen.py --port 5004 --out x\n', {"fixed"}),
    ('port_b=5006\n', {"fixed"}),
    # a listener of ours: binds port 0, says which, keeps it
    ('''python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    s.recv(2048)
' > port.txt &
''', set()),
    ('''/usr/bin/python3 - <<'PY'
import socket
R = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
R.bind(("127.0.0.1", 0))
with open("f", "w") as f:
    f.write("127.0.0.1:%d" % R.getsockname()[1])
R.recvfrom(100)
PY
''', set()),
    ('cb_private_netns "$@"\nport_a=5004; port_b=5006\nlocal = 127.0.0.1:$port_a\n', set()),
    ('remote = 127.0.0.1:9\nport="$(cb_bridge_port "$work/a.log" alice)"\n'
     '# cb_free_port is gone\nrelay_port="$(cb_port_file "$work/relay.port" "$relay")"\n', set()),
]


def self_test():
    bad = 0
    for i, (text, want) in enumerate(SELF_TEST):
        got = {rule for _, rule, _ in check_text("sample%d.sh" % i, text)}
        if got != want:
            print("lint_ports self-test: sample %d: reported %s, want %s" % (
                i, sorted(got) or "nothing", sorted(want) or "nothing"), file=sys.stderr)
            bad += 1
    return bad


def default_files(root):
    import glob
    pats = ["tests/integration/*.sh", "tests/lib/*.sh", "tests/lib/*.py", "tests/soak/run",
            "tests/run", "tests/fuzz/run", ".ci/run", "bench/*.sh", "bench/*.py", "scripts/*"]
    files = []
    for p in pats:
        files += sorted(glob.glob(os.path.join(root, p)))
    me = os.path.realpath(__file__)
    return [f for f in files if os.path.isfile(f) and os.path.realpath(f) != me]


def main(argv):
    root = os.environ.get("CALLBRIDGE_SOURCE_ROOT") or \
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    if self_test():
        print("FAIL: lint_ports.py does not catch what it should (self-test above)", file=sys.stderr)
        return 1
    files = argv[1:] or default_files(root)
    found = 0
    for f in files:
        try:
            text = open(f, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        for n, rule, msg in check_text(f, text):
            print("%s:%d: %s: %s" % (os.path.relpath(f, root), n, rule, msg), file=sys.stderr)
            found += 1
    if found:
        print("FAIL: %d port race(s): bind port 0 and hand the port on, or run the test in "
              "a network namespace of its own (see Ports in tests/lib/common.sh)" % found,
              file=sys.stderr)
        return 1
    print("ok: no pick-a-free-port helper, no port-0 snippet that lets its port go, and no fixed "
          "port outside a private network namespace in %d scripts" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
