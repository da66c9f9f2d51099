#!/usr/bin/env python3
"""Summarizes a JFR recording: the hottest methods by execution samples (top frame and, with
--inclusive, any frame). Usage: jfr-top.py recording.jfr [--inclusive] [--filter substring] [-n 25]"""
import collections, re, subprocess, sys

args = sys.argv[1:]
path = args[0]
inclusive = '--inclusive' in args
n = int(args[args.index('-n') + 1]) if '-n' in args else 25
flt = args[args.index('--filter') + 1] if '--filter' in args else None
out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '64', path],
                     capture_output=True, text=True).stdout
samples = out.split('jdk.ExecutionSample')
counts = collections.Counter()
total = 0
for s in samples:
    frames = re.findall(r'^\s+([\w$.<>]+)\(', s, re.M)
    frames = [f for f in frames if f not in ('line',)]
    if not frames:
        continue
    if flt and not any(flt in f for f in frames):
        continue
    total += 1
    if inclusive:
        for f in set(frames):
            counts[f] += 1
    else:
        counts[frames[0]] += 1
print(f'{total} samples' + (f' with a frame containing {flt!r}' if flt else ''))
for f, c in counts.most_common(n):
    print(f'{100.0 * c / max(1, total):5.1f}%  {f}')
