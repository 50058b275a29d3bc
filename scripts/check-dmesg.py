#!/usr/bin/env python3
"""Check a guest's console log for the problems no test may leave behind.

Prints KTAP: one test per class of problem in guest/tests/splats (warnings,
oopses, lockdep, sleeping in atomic context, DMA-API debug errors, kmemleak
reports, VT-d invalidation queue errors, hung tasks, DMAR faults; the guest
tests use the same list), plus that VT-d came up with queued invalidation
and that the guest finished its plan.  With --qemu-dir, also that the
vIOMMU ran its invalidation audit (intel-iommu x-audit-invalidations=on,
traced) and that the audit found nothing in the boot's qemu.log, and that
no DSA saw its PASID, ATS or PRI controls change while it was enabled
(traced intel_dsa_xlat_changed).

A test that provokes DMAR faults on purpose brackets them with
    pasid-harness: expect DMAR fault begin
    pasid-harness: expect DMAR fault end
written to /dev/kmsg; faults inside the bracket are listed, not failed (a
bracket that never ends covers nothing).
A test that reproduces a kernel's known oops (a bug of a kernel we did not
write) brackets it the same way with "pasid-harness: expect oops begin"
and "... end": lines of the oops class inside are listed, not failed.
"""

import argparse
import os
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')

SPLATS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      'guest', 'tests', 'splats')


def load_splats(path):
    """The classes of guest/tests/splats: [(class, regex, meaning)]."""
    classes = []
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            if line.startswith('#') or not line.strip():
                continue
            fields = line.rstrip('\n').split('\t')
            if len(fields) != 3:
                sys.exit(f'{path}:{no}: expected CLASS<TAB>REGEX<TAB>MEANING')
            classes.append((fields[0], re.compile(fields[1]), fields[2]))
    return classes


def bracketed(lines, what):
    """Indexes of the lines between "pasid-harness: expect WHAT begin" and
    "... end"; a bracket that never ends covers nothing."""
    open_, idx = None, set()
    for i, l in enumerate(lines):
        if f'pasid-harness: expect {what} begin' in l:
            open_ = []
        elif f'pasid-harness: expect {what} end' in l and open_ is not None:
            idx.update(open_)
            open_ = None
        elif open_ is not None:
            open_.append(i)
    return idx


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


def qemu_command(qemu_dir):
    """The boot's QEMU command line (command.txt), or None and why not."""
    try:
        with open(os.path.join(qemu_dir, 'command.txt'), encoding='utf-8') as f:
            return f.read(), None
    except OSError as e:
        return None, f'no QEMU command line: {e}'


def qemu_log_hits(qemu_dir, needle):
    """The lines of the boot's qemu.log that contain needle, at most ten
    of them and a count of the rest, or why the log could not be read."""
    try:
        with open(os.path.join(qemu_dir, 'qemu.log'), encoding='utf-8', errors='replace') as f:
            hits = [l.rstrip('\n') for l in f if needle in l]
    except OSError as e:
        hits = [f'cannot read qemu.log: {e}']
    return hits[:10] + ([f'... {len(hits) - 10} more'] if len(hits) > 10 else [])


def audit_results(qemu_dir, prefix):
    """The vIOMMU invalidation audit (intel-iommu x-audit-invalidations):
    on wherever the machine has a PASID-capable vIOMMU, and no finding
    (trace vtd_audit_*) in QEMU's log."""
    cmd, why = qemu_command(qemu_dir)
    if cmd is None:
        return [(prefix + 'viommu-audit-on', False, [why], None)]
    iommu = re.search(r'-device intel-iommu,(\S*)', cmd)
    if not iommu or 'x-pasid-mode=on' not in iommu.group(1).split(','):
        return [(prefix + 'viommu-audit-on', True,
                 ['no PASID-capable vIOMMU in this machine: nothing to audit'], None)]
    on = 'x-audit-invalidations=on' in iommu.group(1).split(',')
    # every audit event: the pattern, not some of them by name
    traced = re.search(r"-trace '?vtd_audit_\*'?( |$)", cmd) is not None
    res = [(prefix + 'viommu-audit-on', on and traced,
            [] if on and traced else ['the machine runs intel-iommu without x-audit-invalidations=on '
                                      'or without -trace vtd_audit_*'], None)]
    hits = qemu_log_hits(qemu_dir, 'vtd_audit_')
    res.append((prefix + 'no-viommu-audit-finding', not hits, hits, None))
    return res


def dsa_xlat_results(qemu_dir, prefix):
    """The DSA's PASID, ATS and PRI controls change only while it is
    disabled (DSA 9.1.3; the DSA halts otherwise): wherever the machine
    has an intel-dsa, QEMU traces such changes (intel_dsa_xlat_changed),
    and the boot's qemu.log has none (looked for whatever the command
    line)."""
    name = prefix + 'no-dsa-xlat-change-while-enabled'
    cmd, why = qemu_command(qemu_dir)
    if cmd is None:
        return [(name, False, [why], None)]
    dsa = 'intel-dsa' in cmd
    traced = re.search(r"-trace '?intel_dsa_(xlat_changed|\*)'?( |$)", cmd, re.M) is not None
    hits = qemu_log_hits(qemu_dir, 'intel_dsa_xlat_changed')
    diags = [] if traced or not dsa else ['the machine runs intel-dsa without -trace intel_dsa_xlat_changed']
    diags += hits
    if not dsa and not hits:
        diags = ['no intel-dsa in this machine']
    return [(name, (traced or not dsa) and not hits, diags, None)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('console', help='the guest console log')
    ap.add_argument('--plan', help='name of the plan the guest had to finish')
    ap.add_argument('--prefix', default='', help='prefix for the test names')
    ap.add_argument('--splats', default=SPLATS, help='the kernel-splat classes (%(default)s)')
    ap.add_argument('--qemu-dir', help='the boot directory (command.txt, qemu.log): check '
                    "that the vIOMMU's invalidation audit was on and found nothing")
    args = ap.parse_args()

    try:
        with open(args.console, encoding='utf-8', errors='replace') as f:
            lines = [TS.sub('', l.rstrip('\r\n')) for l in f]
    except OSError as e:
        lines = []
        print(f'# cannot read {args.console}: {e}')

    results = []
    dmar_fault = None
    expected_oops = bracketed(lines, 'oops')
    for name, rx, what in load_splats(args.splats):
        if name == 'dmar-fault':
            dmar_fault = rx
            continue
        hits = [(i, l) for i, l in enumerate(lines) if rx.search(l)]
        inside = expected_oops if name == 'oops' else set()
        bad = [f'{what}: {l}' for i, l in hits if i not in inside]
        ok = [f'expected {what}: {l}' for i, l in hits if i in inside]
        results.append((args.prefix + 'no-' + name, not bad, bad + ok, None))
    if dmar_fault is None:
        sys.exit(f'{args.splats}: no dmar-fault class')

    inside = bracketed(lines, 'DMAR fault')
    expected, unexpected = [], []
    for i, l in enumerate(lines):
        if dmar_fault.search(l):
            (expected if i in inside else unexpected).append(l)
    diags = [f'unexpected: {l}' for l in unexpected] + [f'expected: {l}' for l in expected]
    results.append((args.prefix + 'no-unexpected-dmar-fault', not unexpected, diags, None))

    qi = [l for l in lines if re.search(r'DMAR: dmar\d+: Using Queued invalidation', l)]
    results.append((args.prefix + 'vtd-queued-invalidation', bool(qi),
                    qi or ['VT-d did not report queued invalidation'], None))

    if args.qemu_dir:
        results += audit_results(args.qemu_dir, args.prefix)
        results += dsa_xlat_results(args.qemu_dir, args.prefix)

    if args.plan:
        done = any(f'pasid-harness: plan {args.plan} done' in l for l in lines)
        results.append((args.prefix + 'guest-finished-plan', done,
                        [] if done else [f'no "plan {args.plan} done" line: the guest died or hung'],
                        None))
    ktap(results, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
