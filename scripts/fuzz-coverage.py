#!/usr/bin/env python3
"""How much of the DSA model and of the vIOMMU's PASID and page-request
code the fuzz corpus reaches.

Runs every input of CORPUS once through the fuzzer (libFuzzer -runs=0 with
-print_coverage and -print_full_coverage, which name each instrumented
function with its file and list the source lines of its covered and
uncovered coverage points) and prints, per file and for the PASID/PRQ
functions of intel_iommu.c, the lines holding a coverage point that the
corpus reached, of all such lines.  Lines inlined from headers count where
their function is.  Usage: fuzz-coverage.py FUZZER CORPUS
"""
import os
import re
import subprocess
import sys
import tempfile

TARGET = 'generic-fuzz-intel-dsa'
# Functions of intel_iommu.c that deal with PASIDs, page requests, ATS and
# device TLBs (the code the series adds or changes)
PASID_PRQ = re.compile(r'pasid|prq|pri|page_req|pgrp|page_group|drain|ats|'
                       r'dev_iotlb|piotlb|iotlb_notifier|audit')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: fuzz-coverage.py FUZZER CORPUS')
    fuzzer, corpus = sys.argv[1:]
    env = dict(os.environ, ASAN_OPTIONS='detect_leaks=0')
    # Inputs slower than libFuzzer's report threshold are written as
    # artifacts: into a directory of our own, not the current one.
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run([fuzzer, '--fuzz-target=' + TARGET, '-runs=0',
                              '-print_coverage=1', '-print_full_coverage=1',
                              '-artifact_prefix=' + scratch + '/', corpus],
                             env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, check=False).stdout
    lines = out.decode(errors='replace').split('\n')
    try:
        i, j = lines.index('FULL COVERAGE:'), lines.index('COVERAGE:')
    except ValueError:
        sys.exit('fuzz-coverage: the fuzzer printed no coverage')
    full = [l for l in lines[i + 1:j] if l[:1] in ('U', 'C')]
    funcs = [l for l in lines[j + 1:] if '_FUNC:' in l]
    if len(full) != 2 * len(funcs):
        sys.exit('fuzz-coverage: %d coverage lists for %d functions'
                 % (len(full), len(funcs)))
    groups = {}
    for k, f in enumerate(funcs):
        m = re.search(r'edges: \d+/\d+ (\S+) (\S+):\d+$', f)
        if not m:
            continue
        name, path = m.group(1), os.path.basename(m.group(2))
        keys = []
        if path.startswith('intel_dsa'):
            keys.append(path)
        elif path == 'intel_iommu.c':
            keys.append(path)
            if PASID_PRQ.search(name):
                keys.append('intel_iommu.c PASID/PRQ functions')
        if not keys:
            continue
        unc = {int(x) for x in full[2 * k].split()[1:] if x != '0'}
        cov = {int(x) for x in full[2 * k + 1].split()[1:] if x != '0'}
        for key in keys:
            g = groups.setdefault(key, [set(), set(), 0, 0])
            g[0] |= cov
            g[1] |= cov | unc
            g[2] += 1
            g[3] += bool(cov)
    print('%-36s %17s %15s' % ('', 'lines reached', 'functions'))
    for key in sorted(groups):
        cov, every, nf, nfc = groups[key]
        print('%-36s %7d / %-7d %6d / %-6d' % (key, len(cov), len(every),
                                               nfc, nf))


if __name__ == '__main__':
    main()
