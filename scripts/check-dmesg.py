#!/usr/bin/env python3
"""Check a guest's console log for the problems no test may leave behind.

Prints KTAP: one test per class of problem (warnings, oopses, lockdep,
sleeping in atomic context, DMA-API debug errors, kmemleak reports, VT-d
invalidation queue errors, DMAR faults), plus that VT-d came up with queued
invalidation and that the guest finished its plan.

A test that provokes DMAR faults on purpose brackets them with
    pasid-harness: expect DMAR fault begin
    pasid-harness: expect DMAR fault end
written to /dev/kmsg; faults inside the bracket are listed, not failed.
"""

import argparse
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')

# (test name, pattern, what it means)
PROBLEMS = [
    ('no-warning', r'WARNING: (CPU|at)|------------\[ cut here \]', 'kernel WARN'),
    ('no-oops', r'BUG: |Oops|general protection fault|Kernel panic|kernel BUG at|Unable to handle',
     'oops, BUG or panic'),
    ('no-lockdep-report',
     r'possible recursive locking|possible circular locking|inconsistent lock state|'
     r'suspicious RCU usage|INFO: lockdep|possible irq lock inversion|lock held when returning',
     'lockdep report'),
    ('no-atomic-sleep', r'sleeping function called from invalid context|scheduling while atomic',
     'sleep in atomic context'),
    # Errors name driver and device ("DMA-API: idxd 0000:00:03.0: ...");
    # the informational lines at boot do not.
    ('no-dma-api-error', r'DMA-API: (\S+ \S+: |debugging out of memory|exceeded \d+ overlapping)',
     'DMA-API debug error'),
    ('no-kmemleak-report', r'kmemleak: \d+ new suspected memory leaks', 'kmemleak report'),
    ('no-invalidation-queue-error', r'Invalidation Queue Error|Invalidation Time-out Error|'
     r'Invalidation Completion Error|QI HEAD|qi_check_fault', 'VT-d invalidation error'),
    ('no-hung-task', r'blocked for more than \d+ seconds|soft lockup|rcu_sched self-detected stall|'
     r'rcu: INFO:', 'hung task or stall'),
]
DMAR_FAULT = re.compile(r'DMAR: \[DMA (Read|Write)|DMAR: \[INTR-REMAP|DMAR: DRHD: handling fault|'
                        r'DMAR: PRQ overflow|DMAR: .*fault reason')


def ktap(results, out):
    out.write('KTAP version 1\n')
    out.write(f'1..{len(results)}\n')
    for i, (name, ok, diags, skip) in enumerate(results, 1):
        for d in diags[:20]:
            out.write(f'# {name}: {d}\n')
        if len(diags) > 20:
            out.write(f'# {name}: ... {len(diags) - 20} more lines\n')
        if skip:
            out.write(f'ok {i} {name} # SKIP {skip}\n')
        else:
            out.write(f"{'ok' if ok else 'not ok'} {i} {name}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('console', help='the guest console log')
    ap.add_argument('--plan', help='name of the plan the guest had to finish')
    ap.add_argument('--prefix', default='', help='prefix for the test names')
    args = ap.parse_args()

    try:
        with open(args.console, encoding='utf-8', errors='replace') as f:
            lines = [TS.sub('', l.rstrip('\r\n')) for l in f]
    except OSError as e:
        lines = []
        print(f'# cannot read {args.console}: {e}')

    results = []
    for name, pat, what in PROBLEMS:
        rx = re.compile(pat)
        hits = [l for l in lines if rx.search(l)]
        results.append((args.prefix + name, not hits,
                        [f'{what}: {h}' for h in hits], None))

    expected, unexpected, inside = [], [], False
    for l in lines:
        if 'pasid-harness: expect DMAR fault begin' in l:
            inside = True
        elif 'pasid-harness: expect DMAR fault end' in l:
            inside = False
        elif DMAR_FAULT.search(l):
            (expected if inside else unexpected).append(l)
    diags = [f'unexpected: {l}' for l in unexpected] + [f'expected: {l}' for l in expected]
    results.append((args.prefix + 'no-unexpected-dmar-fault', not unexpected, diags, None))

    qi = [l for l in lines if re.search(r'DMAR: dmar\d+: Using Queued invalidation', l)]
    results.append((args.prefix + 'vtd-queued-invalidation', bool(qi),
                    qi or ['VT-d did not report queued invalidation'], None))

    if args.plan:
        done = any(f'pasid-harness: plan {args.plan} done' in l for l in lines)
        results.append((args.prefix + 'guest-finished-plan', done,
                        [] if done else [f'no "plan {args.plan} done" line: the guest died or hung'],
                        None))
    ktap(results, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
