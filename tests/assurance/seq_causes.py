#!/usr/bin/env python3
"""Every alarm of the broad EVA harness (run seq, eva_seq.c) accounted for
by place (issue 15; docs/ASSURANCE.md, "Issue 15: sequences").

Reads seq's log (build/assurance/eva/seq.log), finds each alarm's place
(file, enclosing function, alarm text: line numbers move with every edit,
functions and texts rarely) and looks it up in seq_causes.txt, which gives
each place its cause and the precise runs that reach the same code with no
alarm there. Fails if a place has no recorded cause, or if a covering run
whose log is present has an alarm at that place, or if none of them
reaches its function (the metrics eva.sh asks of those runs). Places in the
table that seq no longer raises are listed (the table can shrink).

usage: seq_causes.py [DIR]   (DIR: eva.sh's output, build/assurance/eva)
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))


def alarms(log):
    """(file, line, text) of every alarm in an EVA log: the text follows
    the warning, on its line or the next."""
    lines = open(log, errors='replace').read().split('\n')
    out = set()
    for i, l in enumerate(lines):
        m = re.match(r'^\[eva:alarm\] (\S+):(\d+): Warning: *(.*)$', l)
        if m:
            text = m.group(3).strip() or lines[i + 1].strip()
            out.add((m.group(1), int(m.group(2)), text))
    return out


_src = {}


def function(path, line):
    """The function whose body holds line: kernel style puts a
    definition's opening brace alone in column 0, its name on the line at
    column 0 above (SYS(name) for a system call)."""
    if path not in _src:
        _src[path] = open(os.path.join(ROOT, path)).read().split('\n')
    src = _src[path]
    for j in range(line - 1, -1, -1):
        if src[j].startswith('}') and j < line - 1:
            break
        if src[j].startswith('{'):
            k = j - 1
            while k >= 0 and not re.match(r'^[A-Za-z_]', src[k]):
                k -= 1
            m = re.match(r'^SYS\((\w+)\)', src[k])
            if m:
                return 'sys_' + m.group(1)
            m = re.search(r'(\w+)\s*\(', src[k])
            return m.group(1) if m else '?'
    return '?'


def table(path):
    causes, places = {}, {}
    for n, l in enumerate(open(path), 1):
        l = l.rstrip('\n')
        if not l.strip() or l.startswith('#'):
            continue
        f = l.split('\t')
        if f[0] == 'cause':
            causes[f[1]] = (f[2].split(','), f[3])
        else:
            if len(f) != 4:
                sys.exit(f'{path}:{n}: want file, function, alarm, cause (tabs)')
            places[(f[0], f[1], f[2])] = f[3]
    for key, c in places.items():
        if c not in causes:
            sys.exit(f'{path}: {key}: no cause {c}')
    return causes, places


def reached(log):
    """Functions the run's analysis reached (eva.sh runs the covering runs
    with Frama-C's metrics, -metrics-eva-cover: "Statements analyzed by
    Eva", one line per function; a static inline function's copies are
    name_0, name_1...), or None if the log has no such section."""
    text = open(log, errors='replace').read()
    i = text.find('[metrics] Statements analyzed by Eva')
    if i < 0:
        return None
    return {re.sub(r'_\d+$', '', m) for m in re.findall(r'^  (\w+): \d+ stmts', text[i:], re.M)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build/assurance/eva')
    causes, places = table(os.path.join(HERE, 'seq_causes.txt'))
    ok = True
    seen = set()
    by_cause = {}
    cover_alarms = {}
    for run in {r for runs, _ in causes.values() for r in runs}:
        log = os.path.join(out, run + '.log')
        if os.path.exists(log):
            cover_alarms[run] = {(f, function(f, n), t) for f, n, t in alarms(log) if f.startswith('kernel/')}
    reach = {r: reached(os.path.join(out, r + '.log')) for r in cover_alarms}
    seq = os.path.join(out, 'seq.log')
    if not os.path.exists(seq):
        print(f'seq_causes: no {seq}: run seq first (eva.sh)')
        return 1
    found = alarms(seq)
    for f, n, t in sorted(found):
        key = (f, function(f, n), t)
        c = places.get(key)
        if c is None:
            print(f'seq_causes: {f}:{n} ({key[1]}): {t}: no recorded cause (tests/assurance/seq_causes.txt)')
            ok = False
            continue
        seen.add(key)
        by_cause[c] = by_cause.get(c, 0) + 1
        runs = [r for r in causes[c][0] if r != '-']
        for run in runs:
            if run in cover_alarms and key in cover_alarms[run]:
                print(f'seq_causes: {f}:{n} ({key[1]}): {t}: run {run}, said to cover it, has an alarm there')
                ok = False
        known = [r for r in runs if reach.get(r) is not None]
        if known and not any(key[1] in reach[r] for r in known):
            print(f'seq_causes: {f}:{n} ({key[1]}): none of the runs said to cover it ({", ".join(known)}) reaches {key[1]}')
            ok = False
    for key in sorted(set(places) - seen):
        print(f'seq_causes: no longer raised: {key[0]} ({key[1]}): {key[2]}')
    checked = ', '.join(sorted(cover_alarms)) or 'none (their logs absent)'
    print(f'seq_causes: {len(found)} alarm places, ' +
          ', '.join(f'{c} {k}' for c, k in sorted(by_cause.items())) +
          f'; covering runs checked: {checked}')
    print('seq_causes: ok' if ok else 'seq_causes: FAIL')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
