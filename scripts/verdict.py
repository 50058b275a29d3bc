#!/usr/bin/env python3
"""Turn the KTAP result files of every stage into one verdict.

Each file is parsed with the kernel's own KTAP parser
(tools/testing/kunit/kunit_parser.py).  Leaves count as passed, failed or
skipped; a parse error (e.g. a plan promising more tests than ran, as when
the guest died), a crashed test, or a parent that failed while all of its
children passed counts as a failure too.  A stage file that is missing is a
failure of that stage.

Writes a JSON summary and ends with the line "N passed, N failed, N skipped";
exits 1 when anything failed.
"""

import argparse
import io
import json
import os
import sys


def load_parser(kunit_dir):
    sys.path.insert(0, kunit_dir)
    import kunit_parser  # pylint: disable=import-outside-toplevel
    return kunit_parser


def tally(kp, test, path, out):
    """Walk a parsed test; append (name, status) leaves to out; return #fails."""
    name = f'{path}.{test.name}' if path and test.name else (test.name or path)
    ok = (kp.TestStatus.SUCCESS, kp.TestStatus.SKIPPED, kp.TestStatus.NO_TESTS)
    fails = 0
    for _ in range(test.counts.errors if not test.subtests else 0):
        out.append((f'{name} (parse error)', 'FAIL'))
        fails += 1
    if not test.subtests:
        if test.status == kp.TestStatus.SUCCESS:
            out.append((name, 'PASS'))
        elif test.status == kp.TestStatus.SKIPPED:
            out.append((name, 'SKIP'))
        else:
            out.append((name, 'FAIL'))
            fails += 1
        return fails
    for sub in test.subtests:
        fails += tally(kp, sub, name, out)
    if test.status not in ok and fails == 0:
        out.append((f'{name} (failed, children passed)', 'FAIL'))
        fails += 1
    return fails


def parse_stage(kp, path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines(keepends=True)
    log = io.StringIO()
    # The parser prints through kunit_printer.stdout, bound to sys.stdout
    # when imported: point it at our buffer for the parse.
    saved = kp.stdout._output  # pylint: disable=protected-access
    kp.stdout._output = log  # pylint: disable=protected-access
    try:
        root = kp.parse_run_tests(lines)
    finally:
        kp.stdout._output = saved  # pylint: disable=protected-access
    results = []
    if root.status == kp.TestStatus.FAILURE_TO_PARSE_TESTS:
        results.append(('no KTAP output', 'FAIL'))
    else:
        # Errors found while parsing the top level (e.g. plan mismatch)
        # are counted on the root; tally() handles nested ones.
        # The parser stands in an unnamed crashed test for each one the
        # plan promised but the output lacks; count those once, by number.
        own = root.counts.errors - sum(s.counts.errors for s in root.subtests)
        for i, sub in enumerate(root.subtests, 1):
            if not sub.name and sub.status == kp.TestStatus.TEST_CRASHED:
                results.append((f'test {i} of the plan never reported (crash or hang?)', 'FAIL'))
                own -= 1
            else:
                tally(kp, sub, '', results)
        for _ in range(max(own, 0)):
            results.append(('(KTAP parse error, see the parser log)', 'FAIL'))
    return results, log.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kunit-dir', required=True,
                    help='tools/testing/kunit of the kernel tree')
    ap.add_argument('--json', help='write the summary here')
    ap.add_argument('--log', help='write the parser output here')
    ap.add_argument('stages', nargs='+', metavar='NAME=FILE.ktap')
    args = ap.parse_args()
    kp = load_parser(args.kunit_dir)

    summary = {'stages': {}, 'passed': 0, 'failed': 0, 'skipped': 0}
    logs = []
    for spec in args.stages:
        if '=' not in spec:
            ap.error(f'stage "{spec}" is not NAME=FILE')
        stage, path = spec.split('=', 1)
        if not os.path.exists(path):
            results, log = [(f'stage did not produce {path}', 'FAIL')], ''
        else:
            results, log = parse_stage(kp, path)
        logs.append(f'=== {stage} ({path})\n{log}')
        counts = {s: sum(1 for _, st in results if st == s)
                  for s in ('PASS', 'FAIL', 'SKIP')}
        summary['stages'][stage] = {
            'file': path, 'passed': counts['PASS'], 'failed': counts['FAIL'],
            'skipped': counts['SKIP'],
            'tests': [{'name': n, 'status': st} for n, st in results]}
        summary['passed'] += counts['PASS']
        summary['failed'] += counts['FAIL']
        summary['skipped'] += counts['SKIP']
        line = f"{stage:<10} {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped"
        print(line)
        for n, st in results:
            if st != 'PASS':
                print(f'    {st}: {n}')

    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=1)
    if args.log:
        with open(args.log, 'w', encoding='utf-8') as f:
            f.write('\n'.join(logs))
    print(f"{summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['skipped']} skipped")
    return 1 if summary['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
